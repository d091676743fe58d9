package io.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageArchivedException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {

    private static final String URL = "s3://backups/prod?region=eu-west-1";
    private final S3Errors errors = new S3Errors("backups", "prod/", URL, "AWS S3 (region 'eu-west-1')");
    private final S3Errors custom = new S3Errors("backups", "prod/", URL, "'http://127.0.0.1:9000'");

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static S3Exception service(int status, String code) {
        return service(status, code, SdkHttpResponse.builder().statusCode(status).build());
    }

    private static S3Exception service(int status, String code, SdkHttpResponse response) {
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("The service says no.")
                        .sdkHttpResponse(response).build())
                .build();
    }

    @Test
    void missingBucketNamesItAndSaysHowToCreateIt() {
        StorageException e = custom.map(service(404, "NoSuchBucket"), "list", "");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("bucket 'backups' does not exist at 'http://127.0.0.1:9000'");
        assertThat(e.hint()).contains("aws s3 mb s3://backups", URL);
        assertThat(errors.map(service(404, "NoSuchBucket"), "list", "")).hasMessage("bucket 'backups' does not exist");
    }

    @ParameterizedTest
    @CsvSource({"AccessDenied, 403, AWS_ACCESS_KEY_ID", "InvalidAccessKeyId, 403, AWS_ACCESS_KEY_ID",
            "SignatureDoesNotMatch, 403, AWS_SECRET_ACCESS_KEY", "ExpiredToken, 400, AWS_SESSION_TOKEN"})
    void refusedCredentialsAreAccessErrorsWithAHintAboutThem(String code, int status, String variable) {
        StorageException e = errors.map(service(status, code), "read", "arca.json");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessageStartingWith("access denied to bucket 'backups' (" + code)
                .hasMessageContaining("cannot read 'arca.json' in '" + URL + "'");
        assertThat(e.hint()).contains(variable).contains("AWS_PROFILE");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void missingKeyIsNotFound() {
        assertThat(errors.map(service(404, "NoSuchKey"), "read", "a/b")).isInstanceOf(StorageNotFoundException.class)
                .hasMessage("object 'a/b' not found in '" + URL + "'");
        assertThat(errors.map(service(404, ""), "read", "a/b")).isInstanceOf(StorageNotFoundException.class);
        assertThat(S3Errors.isNotFound(service(404, ""))).isTrue();
        assertThat(S3Errors.isNotFound(service(404, "NoSuchBucket"))).isFalse();
    }

    @Test
    void archivedObjectSaysHowToRestoreIt() {
        StorageException e = errors.map(service(403, "InvalidObjectState"), "read", "backups/x/db.dump");

        assertThat(e).isInstanceOf(StorageArchivedException.class)
                .hasMessageContaining("object 'backups/x/db.dump'").hasMessageContaining("archive storage class");
        assertThat(e.hint()).contains("aws s3api restore-object --bucket backups --key 'prod/backups/x/db.dump'"
                + " --restore-request Days=7").contains("hours");
    }

    @ParameterizedTest
    @CsvSource({"SlowDown, 503", "InternalError, 500", "ServiceUnavailable, 503", "RequestTimeout, 400",
            "'', 502", "Throttling, 429"})
    void throttlingAndServerErrorsAreTransientAndNameTheService(String code, int status) {
        StorageException e = custom.map(service(status, code), "commit", "k");

        assertThat(e).isInstanceOf(StorageTransientException.class)
                .hasMessageStartingWith("cannot commit 'k' in '" + URL + "': 'http://127.0.0.1:9000' answered ")
                .hasMessageContaining("HTTP " + status);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void wrongRegionSaysWhichRegion() {
        SdkHttpResponse response = SdkHttpResponse.builder().statusCode(301)
                .putHeader("x-amz-bucket-region", "ap-southeast-2").build();

        StorageException e = errors.map(service(301, "PermanentRedirect", response), "list", "");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("bucket 'backups' is in region 'ap-southeast-2'");
        assertThat(e.hint()).contains("?region=ap-southeast-2");
    }

    @Test
    void unimplementedFeatureIsPermanent() {
        StorageException e = custom.map(service(501, "NotImplemented"), "read the lifecycle rules for", "prod/");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("cannot read the lifecycle rules for 'prod/' in '" + URL + "': 'http://127.0.0.1:9000'"
                        + " does not implement it (NotImplemented (HTTP 501))");
    }

    @Test
    void otherClientErrorsArePermanentWithTheServiceMessage() {
        StorageException e = errors.map(service(400, "InvalidArgument"), "write", "k");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("cannot write 'k' in '" + URL + "': InvalidArgument (HTTP 400): the service says no.");
    }

    @Test
    void conditionalWriteConflicts() {
        assertThat(S3Errors.isConditionalConflict(service(412, "PreconditionFailed"))).isTrue();
        assertThat(S3Errors.isConditionalConflict(service(409, "ConditionalRequestConflict"))).isTrue();
        assertThat(S3Errors.isConditionalConflict(service(409, "OperationAborted"))).isFalse();
        assertThat(errors.alreadyExists("lock", null)).hasMessage("object 'lock' already exists in '" + URL + "'");
    }

    @Test
    void networkFailuresAreTransientAndNameTheEndpoint() {
        SdkException refused = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build();
        SdkException unknownHost = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new UnknownHostException("minio.invalid")).build();
        SdkException reset = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new IOException("Connection reset")).build();

        assertThat(custom.map(refused, "list", "")).isInstanceOf(StorageTransientException.class)
                .hasMessage("cannot list '" + URL + "': cannot reach 'http://127.0.0.1:9000': connection refused");
        assertThat(custom.map(unknownHost, "list", "")).isInstanceOf(StorageTransientException.class)
                .hasMessageEndingWith("unknown host 'minio.invalid'");
        assertThat(custom.map(reset, "list", "")).isInstanceOf(StorageTransientException.class)
                .hasMessageEndingWith("connection reset");
        assertThat(custom.map(refused, "list", "").hint()).contains("'http://127.0.0.1:9000'", "reachable");
    }

    @Test
    void timeoutsAreTransient() {
        SdkException readTimeout = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new SocketTimeoutException("Read timed out")).build();

        SdkException connectTimeout = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectTimeoutException("Connect to 10.1.2.3:9000 failed: connect timed out")).build();

        assertThat(custom.map(readTimeout, "read", "k")).isInstanceOf(StorageTransientException.class)
                .hasMessage("cannot read 'k' in '" + URL + "': 'http://127.0.0.1:9000' timed out");
        assertThat(custom.map(connectTimeout, "read", "k")).isInstanceOf(StorageTransientException.class)
                .hasMessageEndingWith("timed out");
        assertThat(Thread.currentThread().isInterrupted()).as("a timeout is no interrupt").isFalse();
        assertThat(custom.map(ApiCallTimeoutException.create(1000), "read", "k"))
                .isInstanceOf(StorageTransientException.class);
    }

    @Test
    void missingCredentialsAreAnAccessError() {
        SdkException none = SdkClientException.create("Unable to load credentials from any of the providers in the"
                + " chain AwsCredentialsProviderChain(...)");

        StorageException e = errors.map(none, "list", "");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessageStartingWith("no AWS credentials found for bucket 'backups'");
        assertThat(e.hint()).contains("AWS_ACCESS_KEY_ID", "AWS_PROFILE");
    }

    @Test
    void interruptionIsTransientAndKeepsTheInterruptFlag() {
        StorageException e = errors.map(AbortedException.create("Thread was interrupted"), "write", "k");

        assertThat(e).isInstanceOf(StorageTransientException.class).hasMessageEndingWith(": interrupted");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }
}
