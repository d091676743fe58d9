package io.arca.gcs;

import com.google.api.gax.paging.Page;
import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage.BlobField;
import com.google.cloud.storage.Storage.BlobGetOption;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BucketField;
import com.google.cloud.storage.Storage.BucketGetOption;
import com.google.cloud.storage.Storage.BucketTargetOption;
import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Storage} in a Google Cloud Storage bucket: key {@code k} of {@code gs://bucket/prefix}
 * is the object {@code prefix/k}. Objects whose names are not valid keys (such as the
 * {@code folder/} placeholders of the console) are not listed.
 *
 * <h2>Writes</h2>
 * A writer keeps up to {@link GcsOptions#chunkSize()} bytes in memory; an object that fits is
 * uploaded by one request at commit. A larger one goes up as a resumable upload, one chunk per
 * request, and is published when the upload is finalised at commit. Closing without commit
 * abandons the upload without finalising it: nothing becomes visible, and the chunks already sent
 * stay in the unfinished resumable session on the service until it expires, a week after it
 * started. The library offers no way to cancel a session over HTTP, so Arca cannot end it sooner.
 * If-absent writes carry the precondition {@code ifGenerationMatch=0}, which the service checks
 * atomically when it creates the object. A failed precondition (412), whether reported then or
 * earlier in a resumable upload, fails the commit with
 * {@link io.arca.core.storage.StorageAlreadyExistsException}; the library does not retry the
 * single-request if-absent create, so that a lost reply is not taken for someone else's object.
 *
 * <h2>Reads</h2>
 * Reads stream through the library's read channel, which asks for the range only, keeps reading
 * the generation it saw first, and buffers up to 2 MiB per open stream. Archive-class objects
 * read like any other: GCS has no rehydration, so this store never raises
 * {@link io.arca.core.storage.StorageArchivedException}.
 *
 * <h2>Missing bucket</h2>
 * The library reports a missing object and a missing bucket alike, so the first time a key is
 * found missing the store lists the bucket once to tell them apart, and a missing bucket becomes
 * a {@link StorageAccessException}.
 *
 * <p>Also offers {@link BucketLifecycle} (see {@link GcsLifecycle} for how rules translate).
 */
public final class GcsStorage implements Storage, BucketLifecycle {

    private static final Set<StorageFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
            StorageFeature.RANGED_READ, StorageFeature.ATOMIC_IF_ABSENT, StorageFeature.DURABLE_COMMIT,
            StorageFeature.CONSISTENT_LIST));
    /** Rereads of the bucket configuration when another writer changed it in between. */
    private static final int LIFECYCLE_ATTEMPTS = 3;

    private final StorageUrl url;
    private final String bucket;
    private final String rootPrefix;
    private final GcsOptions options;
    private final com.google.cloud.storage.Storage client;
    private final com.google.cloud.storage.Storage uploads;
    private final com.google.cloud.storage.Storage ifAbsentCreates;
    private final boolean ownsClient;
    private final GcsErrors errors;
    /** Set once a list succeeded, after which a missing key needs no bucket check. */
    private volatile boolean bucketSeen;
    private volatile boolean closed;

    /**
     * A store over a ready client, which the caller keeps and closes. The URL's {@code project}
     * and {@code endpoint} options are for building clients and have no effect here. The store's
     * {@link #features()} are those of Google Cloud Storage, which a fake client must honour.
     *
     * @throws StorageAccessException when the URL or one of its options is invalid
     */
    public GcsStorage(com.google.cloud.storage.Storage client, StorageUrl url) {
        this(client, url, GcsOptions.parse(url, Map.of()), false);
    }

    /** A store over a ready client, which the caller keeps and closes, with explicit options. */
    public GcsStorage(com.google.cloud.storage.Storage client, StorageUrl url, GcsOptions options) {
        this(client, url, options, false);
    }

    GcsStorage(com.google.cloud.storage.Storage client, StorageUrl url, GcsOptions options, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.url = Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        this.bucket = bucketOf(url);
        String prefix = prefixOf(url);
        this.rootPrefix = prefix.isEmpty() ? "" : prefix + "/";
        this.uploads = GcsClients.withChunkSize(client, options.chunkSize());
        this.ifAbsentCreates = GcsClients.withoutRetries(uploads);
        this.ownsClient = ownsClient;
        this.errors = new GcsErrors(url, bucket, client.getOptions().getHost());
    }

    /** The bucket of a {@code gs://} URL. */
    static String bucketOf(StorageUrl url) {
        if (!url.scheme().equals("gs")) {
            throw new StorageAccessException("cannot open '" + url + "' as google cloud storage",
                    "use a gs://bucket/prefix URL", null);
        }
        String bucket = url.authority();
        int at = bucket.lastIndexOf('@');
        if (at >= 0) {
            // the text before '@' may be a secret, so it is not repeated
            throw new StorageAccessException("the repository URL for bucket '" + bucket.substring(at + 1)
                    + "' contains user information", "gs:// URLs carry no credentials; use application default "
                    + "credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`)", null);
        }
        // the service checks the name itself (400, "invalid bucket name") at the first request
        return bucket;
    }

    /** The object name prefix of a {@code gs://} URL, percent-decoded, without slashes at the ends. */
    static String prefixOf(StorageUrl url) {
        if (url.path().isEmpty()) {
            return "";
        }
        String prefix;
        try {
            prefix = new URI("gs://b/" + url.path()).getPath().substring(1);
            Storage.checkKey(prefix);
        } catch (Exception e) {
            throw new StorageAccessException("invalid object prefix '" + url.path() + "' in repository URL '" + url
                    + "'", "use a prefix of '/'-separated names without '.' or '..', such as gs://bucket/backups/prod",
                    e);
        }
        return prefix;
    }

    @Override
    public StorageUrl url() {
        return url;
    }

    /** What this store was configured with. */
    public GcsOptions options() {
        return options;
    }

    /**
     * Ranged reads, conditional creates that the service checks atomically, commits that return
     * only once the object is stored durably, and listings that see every committed object (GCS
     * lists with strong consistency).
     */
    @Override
    public Set<StorageFeature> features() {
        return FEATURES;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        BlobId id = blobId(key);
        Blob blob;
        try {
            blob = client.get(id, BlobGetOption.fields(BlobField.SIZE, BlobField.UPDATED));
        } catch (BaseServiceException e) {
            throw errors.translate("stat", key, e, GcsErrors.Subject.OBJECT);
        }
        if (blob == null) {
            checkBucket();
            return Optional.empty();
        }
        return Optional.of(info(key, blob));
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        Objects.requireNonNull(range, "range");
        BlobId id = blobId(key);
        if (range.length() == 0) {
            // nothing to transfer, but a missing key must still fail
            if (stat(key).isEmpty()) {
                throw errors.objectMissing(key, null);
            }
            return InputStream.nullInputStream();
        }
        ReadChannel channel;
        try {
            channel = client.reader(id);
        } catch (BaseServiceException e) {
            throw errors.translate("read", key, e, GcsErrors.Subject.OBJECT);
        }
        try {
            if (range.offset() > 0) {
                channel.seek(range.offset());
            }
            if (range.length() != ReadRange.TO_END) {
                long end = range.length() > Long.MAX_VALUE - range.offset() ? Long.MAX_VALUE
                        : range.offset() + range.length();
                channel.limit(end);
            }
            return GcsInputStream.open(this, key, channel);
        } catch (IOException | BaseServiceException e) {
            channel.close();
            throw readFailure(key, e);
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions writeOptions) {
        Objects.requireNonNull(writeOptions, "options");
        BlobId id = blobId(key);
        BlobInfo.Builder info = BlobInfo.newBuilder(id).setContentType("application/octet-stream");
        if (options.storageClass() != null) {
            info.setStorageClass(options.storageClass());
        }
        return new GcsWriter(this, key, info.build(), writeOptions, options.chunkSize());
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        checkPrefix(prefix);
        ensureOpen();
        List<BlobListOption> listOptions = new ArrayList<>(List.of(BlobListOption.pageSize(options.listPageSize()),
                BlobListOption.fields(BlobField.NAME, BlobField.SIZE, BlobField.UPDATED)));
        if (!(rootPrefix + prefix).isEmpty()) {
            listOptions.add(BlobListOption.prefix(rootPrefix + prefix));
        }
        List<ObjectInfo> found = new ArrayList<>();
        try {
            Page<Blob> page = client.list(bucket, listOptions.toArray(BlobListOption[]::new));
            for (Blob blob : page.iterateAll()) {
                String key = blob.getName().substring(rootPrefix.length());
                if (isKey(key)) {
                    found.add(info(key, blob));
                }
            }
        } catch (BaseServiceException e) {
            throw errors.translate("list", prefix, e, GcsErrors.Subject.BUCKET);
        }
        bucketSeen = true;
        found.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return found;
    }

    @Override
    public void delete(String key) {
        BlobId id = blobId(key);
        try {
            // false when there was nothing to delete, which the contract treats as success
            client.delete(id);
        } catch (BaseServiceException e) {
            throw errors.translate("delete", key, e, GcsErrors.Subject.OBJECT);
        }
    }

    /** Closes the clients this store made; a client given to a public constructor stays open. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(uploads);
        closeQuietly(ifAbsentCreates);
        if (ownsClient) {
            closeQuietly(client);
        }
    }

    @Override
    public String toString() {
        return "GcsStorage[" + url + "]";
    }

    /** {@code arca-<prefix>}, or {@code arca} for a store at the bucket's root. */
    @Override
    public String ruleId() {
        return rootPrefix.isEmpty() ? "arca" : "arca-" + rootPrefix.substring(0, rootPrefix.length() - 1);
    }

    @Override
    public String rulePrefix() {
        return rootPrefix;
    }

    @Override
    public List<LifecycleRule> rules(String prefix) {
        return GcsLifecycle.fromGcs(lifecycleOf(bucketForLifecycle("read the lifecycle rules of")), prefix,
                ruleId());
    }

    /**
     * Replaces Arca's rules for {@code rule.prefix()} (GCS rules have no ids: see
     * {@link GcsLifecycle}) and keeps every other rule of the bucket. The update is conditional on
     * the bucket's metageneration, so a concurrent change of the configuration is never lost; the
     * store rereads and tries again a few times.
     */
    @Override
    public void apply(LifecycleRule rule) {
        Objects.requireNonNull(rule, "rule");
        if (rule.storageClass() != null) {
            try {
                GcsLifecycle.storageClass(rule.storageClass());
            } catch (IllegalArgumentException e) {
                throw new StorageAccessException("cannot apply the lifecycle rule to bucket '" + bucket + "': "
                        + e.getMessage(), "use one of " + String.join(", ", GcsLifecycle.TRANSITION_CLASSES), e);
            }
        }
        for (int attempt = 1; ; attempt++) {
            Bucket current = bucketForLifecycle("change the lifecycle rules of");
            // the bucket as read holds only its lifecycle and metageneration, so only those are sent
            BucketInfo updated = current.toBuilder()
                    .setLifecycleRules(GcsLifecycle.merge(lifecycleOf(current), rule))
                    .build();
            try {
                client.update(updated, BucketTargetOption.metagenerationMatch());
                return;
            } catch (BaseServiceException e) {
                if (e.getCode() != 412) {
                    throw errors.translate("change the lifecycle rules of bucket '" + bucket + "'", null, e,
                            GcsErrors.Subject.BUCKET);
                }
                if (attempt == LIFECYCLE_ATTEMPTS) {
                    throw new StorageTransientException("cannot change the lifecycle rules of bucket '" + bucket
                            + "': its configuration kept changing meanwhile", "try again later", e);
                }
            }
        }
    }

    /** The single-request create for if-absent writes, which must not be retried by the library. */
    com.google.cloud.storage.Storage ifAbsentCreates() {
        return ifAbsentCreates;
    }

    /** The client for single-request creates and resumable uploads (with the chunk size). */
    com.google.cloud.storage.Storage uploads() {
        return uploads;
    }

    GcsErrors errors() {
        return errors;
    }

    /** The contract's error for a failed read; a missing object may mean a missing bucket. */
    StorageException readFailure(String key, Exception failure) {
        StorageException translated = errors.translate("read", key, failure, GcsErrors.Subject.OBJECT);
        if (translated instanceof StorageNotFoundException) {
            checkBucket();
        }
        return translated;
    }

    static ObjectInfo info(String key, BlobInfo blob) {
        return new ObjectInfo(key, Objects.requireNonNullElse(blob.getSize(), 0L), time(blob));
    }

    /** When the object was last written, as the service reports it. */
    static Instant time(BlobInfo blob) {
        OffsetDateTime time = blob.getUpdateTimeOffsetDateTime() != null ? blob.getUpdateTimeOffsetDateTime()
                : blob.getCreateTimeOffsetDateTime();
        // the service always reports both; the clock only stands in for a client that dropped them
        return time == null ? Instant.now() : time.toInstant();
    }

    private BlobId blobId(String key) {
        Storage.checkKey(key);
        ensureOpen();
        return BlobId.of(bucket, rootPrefix + key);
    }

    /** Throws when the bucket is missing; asks the service once, since a list also checks it. */
    private void checkBucket() {
        if (bucketSeen) {
            return;
        }
        try {
            client.list(bucket, BlobListOption.pageSize(1), BlobListOption.fields(BlobField.NAME));
        } catch (BaseServiceException e) {
            throw errors.translate("list", "", e, GcsErrors.Subject.BUCKET);
        }
        bucketSeen = true;
    }

    private Bucket bucketForLifecycle(String action) {
        ensureOpen();
        Bucket found;
        try {
            found = client.get(bucket, BucketGetOption.fields(BucketField.LIFECYCLE, BucketField.METAGENERATION));
        } catch (BaseServiceException e) {
            throw errors.translate(action + " bucket '" + bucket + "'", null, e, GcsErrors.Subject.BUCKET);
        }
        if (found == null) {
            throw errors.bucketMissing(null);
        }
        return found;
    }

    private static List<? extends BucketInfo.LifecycleRule> lifecycleOf(BucketInfo bucket) {
        return bucket.getLifecycleRules() == null ? List.of() : bucket.getLifecycleRules();
    }

    private static boolean isKey(String key) {
        try {
            Storage.checkKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        int slash = prefix.lastIndexOf('/');
        // the complete segments must be valid; the last, partial one may be anything a key starts with
        if (prefix.indexOf('\\') >= 0 || prefix.indexOf('\0') >= 0 || (slash >= 0 && !isKey(prefix.substring(0, slash)))) {
            throw new IllegalArgumentException("invalid storage key prefix '" + prefix + "'");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("storage '" + url + "' is closed");
        }
    }

    private static void closeQuietly(com.google.cloud.storage.Storage storage) {
        try {
            storage.close();
        } catch (Exception e) {
            // an HTTP client holds no connection of its own; nothing is lost
        }
    }
}
