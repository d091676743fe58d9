package io.arca.azure;

import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Storage} in an Azure Blob Storage container: each key is the block blob
 * {@code <prefix>/<key>} (or {@code <key>} without a prefix).
 *
 * <ul>
 *   <li>Writes are streamed in blocks and published by one commit; see {@link AzureBlobWriter}.
 *       Every blob written gets the {@link AzureOptions#accessTier() access tier} when one is set.
 *   <li>If-absent commits use {@code If-None-Match: *}, which the service applies atomically.
 *   <li>Reads fetch ranged chunks of {@link AzureOptions#blockSize()} bytes; a blob in the Archive
 *       tier raises {@link io.arca.core.storage.StorageArchivedException}.
 *   <li>Lists page through the container {@value #PAGE_SIZE} names at a time.
 *   <li>Blob names that are not valid keys (such as folder markers ending in {@code /} made by
 *       other tools) are not listed: no key could address them.
 * </ul>
 *
 * <p>The client is expected to make one attempt per call (Arca's {@code RetryingStorage} retries)
 * with bounded timeouts; {@link AzureStorageProvider} builds it so. Azure has no bucket lifecycle
 * API in the data plane, so this store offers no {@link io.arca.core.storage.BucketLifecycle}: an
 * account's lifecycle management policy does that job.
 */
public final class AzureStorage implements Storage {

    /** Names per list request; the service's largest page is 5 000. */
    static final int PAGE_SIZE = 1_000;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final StorageUrl url;
    private final BlobContainerClient container;
    private final String prefix;
    private final AzureOptions options;
    private final AzureErrors errors;
    private final ThreadPoolExecutor uploads;
    private volatile boolean closed;

    /**
     * A store over a ready client, as tests and embedders build it; {@code prefix} is the blob name
     * prefix without leading or trailing {@code /}, possibly empty. The client should not retry on
     * its own (see the class comment).
     */
    public AzureStorage(BlobContainerClient container, String prefix, AzureOptions options) {
        this(new StorageUrl("azure", container.getBlobContainerName(), prefix, ""), container, prefix, options);
    }

    AzureStorage(StorageUrl url, BlobContainerClient container, String prefix, AzureOptions options) {
        this.url = Objects.requireNonNull(url, "url");
        this.container = Objects.requireNonNull(container, "container");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.options = Objects.requireNonNull(options, "options");
        if (!prefix.isEmpty()) {
            Storage.checkKey(prefix);
        }
        this.errors = new AzureErrors(url, container.getAccountName(), container.getBlobContainerName(), prefix,
                endpointOf(container.getBlobContainerUrl()));
        int threads = options.uploadConcurrency();
        this.uploads = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "arca-azure-upload-" + THREADS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        uploads.allowCoreThreadTimeOut(true);
    }

    @Override
    public StorageUrl url() {
        return url;
    }

    /** The service checks if-absent writes atomically, commits durably and lists consistently. */
    @Override
    public Set<StorageFeature> features() {
        return Set.copyOf(EnumSet.of(StorageFeature.RANGED_READ, StorageFeature.ATOMIC_IF_ABSENT,
                StorageFeature.DURABLE_COMMIT, StorageFeature.CONSISTENT_LIST));
    }

    /** The options this store writes with. */
    public AzureOptions options() {
        return options;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        BlobClient blob = blob(key);
        try {
            BlobProperties properties = blob.getPropertiesWithResponse(null, null, Context.NONE).getValue();
            return Optional.of(new ObjectInfo(key, properties.getBlobSize(), properties.getLastModified().toInstant()));
        } catch (RuntimeException e) {
            if (AzureErrors.isBlobMissing(e)) {
                return Optional.empty();
            }
            throw errors.map(e, "stat", key);
        }
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        Objects.requireNonNull(range, "range");
        BlobClient blob = blob(key);
        if (range.length() == 0) {
            // no bytes to fetch, but a missing key must still fail
            if (stat(key).isEmpty()) {
                throw errors.notFound(key, null);
            }
            return InputStream.nullInputStream();
        }
        return AzureBlobInputStream.open(errors, blob, key, range.offset(), range.length(), options.blockSize());
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions writeOptions) {
        Objects.requireNonNull(writeOptions, "options");
        BlobClient blob = blob(key);
        return new AzureBlobWriter(errors, blob.getBlockBlobClient(), key, writeOptions, options, uploads);
    }

    @Override
    public List<ObjectInfo> list(String keyPrefix) {
        Objects.requireNonNull(keyPrefix, "prefix");
        if (keyPrefix.startsWith("/") || keyPrefix.indexOf('\\') >= 0 || keyPrefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid storage key prefix '" + keyPrefix + "'");
        }
        ensureOpen();
        String namePrefix = prefix.isEmpty() ? keyPrefix : prefix + "/" + keyPrefix;
        int skip = prefix.isEmpty() ? 0 : prefix.length() + 1;
        List<ObjectInfo> found = new ArrayList<>();
        try {
            ListBlobsOptions request = new ListBlobsOptions().setPrefix(namePrefix).setMaxResultsPerPage(PAGE_SIZE);
            for (PagedResponse<BlobItem> page : container.listBlobs(request, null, null).iterableByPage()) {
                for (BlobItem item : page.getValue()) {
                    String key = item.getName().substring(skip);
                    if (validKey(key)) {
                        BlobItemProperties properties = item.getProperties();
                        found.add(new ObjectInfo(key, properties.getContentLength(),
                                properties.getLastModified().toInstant()));
                    }
                }
            }
        } catch (RuntimeException e) {
            throw errors.map(e, "list", keyPrefix);
        }
        found.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return found;
    }

    @Override
    public void delete(String key) {
        BlobClient blob = blob(key);
        try {
            blob.deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null, Context.NONE);
        } catch (RuntimeException e) {
            // the SDK's deleteIfExists would also swallow a missing container
            if (!AzureErrors.isBlobMissing(e)) {
                throw errors.map(e, "delete", key);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        uploads.shutdown();
    }

    @Override
    public String toString() {
        return "AzureStorage[" + url + "]";
    }

    private BlobClient blob(String key) {
        Storage.checkKey(key);
        ensureOpen();
        return container.getBlobClient(prefix.isEmpty() ? key : prefix + "/" + key);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("storage '" + url + "' is closed");
        }
    }

    private static boolean validKey(String key) {
        try {
            Storage.checkKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The account's blob endpoint for messages: the container URL without container and query. */
    private static String endpointOf(String containerUrl) {
        URI uri = URI.create(containerUrl);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int slash = path.lastIndexOf('/');
        return uri.getScheme() + "://" + uri.getRawAuthority() + (slash > 0 ? path.substring(0, slash) : "");
    }
}
