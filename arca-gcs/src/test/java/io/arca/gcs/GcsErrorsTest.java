package io.arca.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.cloud.storage.StorageException;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mapping of the library's failures, built with the library's own constructors as it builds
 * them from HTTP answers. LocalGcs models neither missing buckets nor permissions, so these are
 * the tests of those answers (and GcsStorageCloudIT meets a missing bucket for real).
 */
class GcsErrorsTest {

    private final GcsErrors errors = new GcsErrors(StorageUrl.parse("gs://acme/prod"), "acme",
            "https://storage.googleapis.com");

    private static StorageException http(int code, String reason, String message) {
        GoogleJsonError error = new GoogleJsonError();
        error.setCode(code);
        error.setMessage(message);
        GoogleJsonError.ErrorInfo info = new GoogleJsonError.ErrorInfo();
        info.setReason(reason);
        info.setMessage(message);
        error.setErrors(java.util.List.of(info));
        return new StorageException(error);
    }

    @Test
    void missingBucket() {
        var e = errors.translate("list", "", http(404, "notFound", "The specified bucket does not exist."),
                GcsErrors.Subject.BUCKET);

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("bucket 'acme' of 'gs://acme/prod' does not exist");
        assertThat(e.hint()).isEqualTo("create it (gcloud storage buckets create gs://acme) or correct the repository URL");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void missingObject() {
        var e = errors.translate("read", "backups/x", http(404, "notFound", "No such object: acme/prod/backups/x"),
                GcsErrors.Subject.OBJECT);

        assertThat(e).isInstanceOf(StorageNotFoundException.class)
                .hasMessage("object 'backups/x' not found in 'gs://acme/prod'");
    }

    @Test
    void unauthenticated() {
        var e = errors.translate("stat", "arca.json", http(401, "required",
                "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object."),
                GcsErrors.Subject.OBJECT);

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("cannot stat 'arca.json' in 'gs://acme/prod': google cloud storage did not accept the "
                        + "credentials (401 anonymous caller does not have storage.objects.get access to the Google "
                        + "Cloud Storage object.)");
        assertThat(e.hint()).contains("GOOGLE_APPLICATION_CREDENTIALS")
                .contains("gcloud auth application-default login");
    }

    @Test
    void forbidden() {
        var e = errors.translate("commit", "k", http(403, "forbidden",
                "backup@p.iam.gserviceaccount.com does not have storage.objects.create access."), GcsErrors.Subject.BUCKET);

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessageStartingWith("cannot commit 'k' in 'gs://acme/prod': permission denied (403 ");
        assertThat(e.hint()).contains("bucket 'acme'").contains("GOOGLE_APPLICATION_CREDENTIALS")
                .contains("gcloud auth application-default login");
    }

    @Test
    void failedPrecondition() {
        var e = errors.translate("commit", "locks/a.json", http(412, "conditionNotMet",
                "At least one of the pre-conditions you specified did not hold."), GcsErrors.Subject.BUCKET);

        assertThat(e).isInstanceOf(StorageAlreadyExistsException.class)
                .hasMessage("object 'locks/a.json' already exists in 'gs://acme/prod'");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void throttlingAndServerErrorsAreTransient(int code) {
        var e = errors.translate("read", "k", http(code, "backendError", "Backend Error"), GcsErrors.Subject.OBJECT);

        assertThat(e).isInstanceOf(StorageTransientException.class)
                .hasMessageContaining("'https://storage.googleapis.com'").hasMessageContaining("(" + code + " ");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void badRequestIsPermanent() {
        var e = errors.translate("commit", "k", http(400, "invalid", "Invalid argument."), GcsErrors.Subject.BUCKET);

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("cannot commit 'k' in 'gs://acme/prod': google cloud storage refused it (400 invalid argument.)");
    }

    @Test
    void networkFailuresAreTransientAndNameTheEndpoint() {
        var refused = errors.translate("stat", "k", new StorageException(new ConnectException("Connection refused")),
                GcsErrors.Subject.OBJECT);
        var timeout = errors.translate("read", "k",
                new IOException(new StorageException(new SocketTimeoutException("Read timed out"))), GcsErrors.Subject.OBJECT);
        var unknownHost = errors.translate("list", "", new StorageException(new UnknownHostException("gcs.invalid")),
                GcsErrors.Subject.BUCKET);
        var reset = errors.translate("write", "k", new IOException("Connection reset"), GcsErrors.Subject.BUCKET);

        assertThat(refused).isInstanceOf(StorageTransientException.class).hasMessage("cannot stat 'k' in "
                + "'gs://acme/prod': cannot reach google cloud storage at 'https://storage.googleapis.com' (connection refused)");
        assertThat(timeout).isInstanceOf(StorageTransientException.class).hasMessageEndingWith("(read timed out)");
        assertThat(unknownHost).isInstanceOf(StorageTransientException.class)
                .hasMessageEndingWith("(unknown host 'gcs.invalid')");
        assertThat(reset).isInstanceOf(StorageTransientException.class).hasMessageEndingWith("(connection reset)");
        assertThat(refused.hint()).contains("endpoint");
    }

    @Test
    void failuresInsideChannelsAreUnwrapped() {
        var e = errors.translate("read", "k", new IOException(http(404, "notFound", "No such object")),
                GcsErrors.Subject.OBJECT);

        assertThat(e).isInstanceOf(StorageNotFoundException.class);
    }
}
