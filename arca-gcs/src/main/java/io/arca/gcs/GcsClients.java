package io.arca.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.BlobWriteSessionConfigs;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.time.Duration;

/** Builds the google-cloud-storage clients a {@link GcsStorage} uses. */
final class GcsClients {

    /**
     * The client's own retries are kept short: {@code RetryingStorage} retries whole operations
     * with longer backoff, and an unreachable endpoint must fail in about a second. They still
     * matter inside a resumable upload, where a retried chunk does not restart the object.
     */
    static final RetrySettings RETRY = RetrySettings.newBuilder()
            .setMaxAttempts(3)
            .setInitialRetryDelayDuration(Duration.ofMillis(200))
            .setRetryDelayMultiplier(2.0)
            .setMaxRetryDelayDuration(Duration.ofSeconds(2))
            .setTotalTimeoutDuration(Duration.ofMinutes(2))
            .build();

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** A chunk's response comes only after the service has stored it. */
    private static final int READ_TIMEOUT_MILLIS = 60_000;

    private GcsClients() {
    }

    /** A client for {@code options}, with application default credentials unless anonymous. */
    static Storage create(GcsOptions options) {
        HttpStorageOptions.Builder builder = StorageOptions.http()
                .setRetrySettings(RETRY)
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
                        .setReadTimeout(READ_TIMEOUT_MILLIS)
                        .build());
        if (options.project() != null) {
            builder.setProjectId(options.project());
        }
        if (options.endpoint() != null) {
            builder.setHost(options.endpoint());
        }
        if (options.anonymous()) {
            builder.setCredentials(NoCredentials.getInstance());
        }
        return builder.build().getService();
    }

    /** A client like {@code client} whose resumable uploads send {@code chunkSize} bytes per request. */
    static Storage withChunkSize(Storage client, int chunkSize) {
        return client.getOptions().toBuilder()
                .setBlobWriteSessionConfig(BlobWriteSessionConfigs.getDefault().withChunkSize(chunkSize))
                .build().getService();
    }

    /**
     * A client like {@code client} that never retries. An if-absent create whose reply was lost
     * would otherwise be sent again and fail with 412 although it succeeded, and the storage
     * contract promises that any error but a transient one means nothing was published.
     */
    static Storage withoutRetries(Storage client) {
        StorageOptions.Builder builder = client.getOptions().toBuilder();
        builder.setRetrySettings(ServiceOptions.getNoRetrySettings());
        return builder.build().getService();
    }
}
