package io.arca.gcs.testing;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import io.arca.core.storage.StorageUrl;
import io.arca.gcs.GcsOptions;
import io.arca.gcs.GcsStorage;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-memory Google Cloud Storage for tests, one per JVM: the real google-cloud-storage client
 * over LocalStorageHelper's fake, with the corrections of {@link LocalGcsRpc} (thread safety,
 * paging, atomic if-absent preconditions, invisible unfinished uploads, bucket lifecycle). Every
 * store opened here sees the same objects, so several opens of one {@code gs://} URL in a JVM, as
 * the CLI makes them, share their data. Buckets need no creating, except that those named
 * {@value #MISSING_BUCKET_PREFIX}... are missing; use a new bucket or prefix per test for isolation.
 *
 * <p>It does not model permissions, network failures or object versions.
 */
public final class LocalGcs {

    /** Buckets whose names start with this do not exist (every other bucket does). */
    public static final String MISSING_BUCKET_PREFIX = "missing-";

    /** The client library logs a warning for every apiary client made without a name. */
    private static final Logger QUIET = Logger.getLogger("com.google.api.client.googleapis.services.AbstractGoogleClient");
    private static final LocalGcsRpc RPC;
    private static final com.google.cloud.storage.Storage CLIENT;

    static {
        QUIET.setLevel(Level.SEVERE);
        RPC = new LocalGcsRpc();
        CLIENT = StorageOptions.http()
                .setProjectId("local-gcs")
                .setCredentials(NoCredentials.getInstance())
                .setServiceRpcFactory(options -> RPC)
                .build()
                .getService();
    }

    private LocalGcs() {
    }

    /** The client over the shared in-memory service. */
    public static com.google.cloud.storage.Storage client() {
        return CLIENT;
    }

    /** A store at {@code url} (with its options) over the shared in-memory service. */
    public static GcsStorage open(StorageUrl url) {
        return new GcsStorage(CLIENT, url);
    }

    /** A store at {@code url} with explicit options, such as a small list page size. */
    public static GcsStorage open(StorageUrl url, GcsOptions options) {
        return new GcsStorage(CLIENT, url, options);
    }

    /** The options {@link #open(StorageUrl)} takes from {@code url}. */
    public static GcsOptions optionsOf(StorageUrl url) {
        return GcsOptions.parse(url, Map.of());
    }

    /** How many requests of each kind the service has answered since the JVM started. */
    public static Counts counts() {
        return new Counts(RPC.listRequests.get(), RPC.singleRequestUploads.get(), RPC.uploadSessions.get(),
                RPC.uploadChunks.get(), RPC.openUploads());
    }

    /**
     * Request counts, to check how a store used the service.
     *
     * @param listRequests list pages served
     * @param singleRequestUploads objects created by one request
     * @param uploadSessions resumable uploads started
     * @param uploadChunks requests that sent bytes to a resumable upload
     * @param openUploads resumable uploads started and never finalised
     */
    public record Counts(long listRequests, long singleRequestUploads, long uploadSessions, long uploadChunks,
            long openUploads) {

        /** The counts since {@code before}. */
        public Counts minus(Counts before) {
            return new Counts(listRequests - before.listRequests, singleRequestUploads - before.singleRequestUploads,
                    uploadSessions - before.uploadSessions, uploadChunks - before.uploadChunks,
                    openUploads - before.openUploads);
        }
    }
}
