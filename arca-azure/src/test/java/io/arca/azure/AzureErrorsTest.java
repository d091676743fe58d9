package io.arca.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageArchivedException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** How service answers and network failures map to the storage errors of the contract. */
class AzureErrorsTest {

    private static final String ENDPOINT = "https://acct.blob.core.windows.net";
    private final AzureErrors errors = new AzureErrors(StorageUrl.parse("azure://backups/prod/db"), "acct", "backups",
            "prod/db", ENDPOINT);

    @Test
    void missingContainerIsAnAccessErrorNamingContainerAndAccount() {
        RuntimeException e = errors.map(service(404, "ContainerNotFound"), "list", "");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("container 'backups' does not exist in account 'acct'");
        assertThat(((StorageAccessException) e).hint())
                .contains("az storage container create --account-name acct --name backups");
    }

    @ParameterizedTest
    @CsvSource({"403, AuthenticationFailed", "403, AuthorizationFailure", "403, AuthorizationPermissionMismatch",
            "401, InvalidAuthenticationInfo"})
    void refusedCredentialIsAnAccessErrorPointingAtTheVariables(int status, String code) {
        RuntimeException e = errors.map(service(status, code), "read", "manifest.json");

        assertThat(e).isInstanceOf(StorageAccessException.class)
                .hasMessage("cannot read 'manifest.json' in 'azure://backups/prod/db': access to container 'backups' "
                        + "in account 'acct' denied (" + code + ")");
        assertThat(((StorageAccessException) e).hint()).contains("AZURE_STORAGE_CONNECTION_STRING",
                "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT");
    }

    @Test
    void missingBlobIsNotFound() {
        RuntimeException e = errors.map(service(404, "BlobNotFound"), "read", "a/b");

        assertThat(e).isInstanceOf(StorageNotFoundException.class)
                .hasMessage("object 'a/b' not found in 'azure://backups/prod/db'");
    }

    @Test
    void archivedBlobGivesTheRehydrateCommand() {
        RuntimeException e = errors.map(service(409, "BlobArchived"), "read", "backups/x/base.tar");

        assertThat(e).isInstanceOf(StorageArchivedException.class)
                .hasMessage("object 'backups/x/base.tar' in 'azure://backups/prod/db' is in the Archive tier and "
                        + "cannot be read");
        assertThat(((StorageArchivedException) e).hint()).isEqualTo("rehydrate it first, which takes hours: "
                + "az storage blob set-tier --account-name acct --container-name backups "
                + "--name 'prod/db/backups/x/base.tar' --tier Hot --rehydrate-priority Standard");
    }

    @ParameterizedTest
    @CsvSource({"500, InternalError", "503, ServerBusy", "500, OperationTimedOut", "429, TooManyRequests",
            "408, RequestTimeout", "502, ''"})
    void serverTroubleAndThrottlingAreTransientAndNameTheEndpoint(int status, String code) {
        RuntimeException e = errors.map(service(status, code), "write", "k");

        assertThat(e).isInstanceOf(StorageTransientException.class).hasMessageContaining("'" + ENDPOINT + "'")
                .hasMessageContaining("HTTP " + status);
    }

    @Test
    void blocksDiscardedByAConcurrentCommitAreTransient() {
        RuntimeException e = errors.map(service(400, "InvalidBlockList"), "commit", "wal/1/2/seg");

        assertThat(e).isInstanceOf(StorageTransientException.class)
                .hasMessageContaining("cannot commit 'wal/1/2/seg'").hasMessageContaining("concurrent write");
    }

    @Test
    void otherClientErrorsArePermanent() {
        RuntimeException e = errors.map(service(400, "InvalidHeaderValue"), "write", "k");

        assertThat(e).isInstanceOf(StorageAccessException.class).hasMessageContaining("InvalidHeaderValue (HTTP 400)");
    }

    @Test
    void refusedConnectionIsTransientAndNamesTheEndpoint() {
        RuntimeException e = errors.map(new UncheckedIOException(new ConnectException()), "list", "wal/");

        assertThat(e).isInstanceOf(StorageTransientException.class)
                .hasMessage("cannot reach azure endpoint '" + ENDPOINT + "' to list 'wal/': connection refused");
    }

    @Test
    void timeoutsAndUnknownHostsAreTransient() {
        assertThat(errors.map(new UncheckedIOException(new HttpTimeoutException("request timed out")), "read", "k"))
                .isInstanceOf(StorageTransientException.class).hasMessageEndingWith(": timed out");
        assertThat(errors.map(new RuntimeException(new UnknownHostException("acct.blob.core.windows.net")), "read",
                "k")).isInstanceOf(StorageTransientException.class)
                .hasMessageEndingWith(": unknown host 'acct.blob.core.windows.net'");
    }

    @Test
    void missingIdentityIsAnAccessError() {
        RuntimeException e = errors.map(new ClientAuthenticationException("DefaultAzureCredential failed", null),
                "list", "");

        assertThat(e).isInstanceOf(StorageAccessException.class).hasMessageContaining("no usable azure credential");
        assertThat(((StorageAccessException) e).hint()).contains("AZURE_STORAGE_KEY");
    }

    @Test
    void programmingErrorsPassThrough() {
        NullPointerException bug = new NullPointerException();

        assertThat(errors.map(bug, "read", "k")).isSameAs(bug);
    }

    @Test
    void conditionalWriteAnswersAreRecognised() {
        assertThat(AzureErrors.isConditionFailed(service(409, "BlobAlreadyExists"))).isTrue();
        assertThat(AzureErrors.isConditionFailed(service(412, "ConditionNotMet"))).isTrue();
        assertThat(AzureErrors.isConditionFailed(service(409, "BlobArchived"))).isFalse();
        assertThat(AzureErrors.isBlobMissing(service(404, "BlobNotFound"))).isTrue();
        assertThat(AzureErrors.isBlobMissing(service(404, "ContainerNotFound"))).isFalse();
    }

    private static BlobStorageException service(int status, String code) {
        HttpHeaders headers = new HttpHeaders();
        if (!code.isEmpty()) {
            headers.set(HttpHeaderName.fromString("x-ms-error-code"), code);
        }
        HttpRequest request = new HttpRequest(HttpMethod.GET, ENDPOINT + "/backups/prod/db/k");
        return new BlobStorageException("Status code " + status + ", " + code, new FakeResponse(request, status, headers),
                null);
    }

    /** An answer with a status and headers and no body. */
    private static final class FakeResponse extends HttpResponse {
        private final int status;
        private final HttpHeaders headers;

        FakeResponse(HttpRequest request, int status, HttpHeaders headers) {
            super(request);
            this.status = status;
            this.headers = headers;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(name);
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.empty();
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.empty();
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.empty();
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.empty();
        }
    }
}
