package io.arca.s3;

import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.FolderListing;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A {@link Storage} in an S3 bucket (Amazon S3 or an S3-compatible service), under a key prefix:
 * key {@code k} is the object {@code prefix/k}. Opened from {@code s3://bucket/prefix?options}
 * (see {@link S3Options}); credentials come from the AWS SDK's default chain
 * ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, {@code AWS_PROFILE}, SSO, web identity,
 * container and instance roles), never from the URL.
 *
 * <h2>Writes</h2>
 * A writer buffers up to one part. An object that fits commits with one PutObject; a larger one
 * becomes a multipart upload whose parts go out on the store's upload threads while the caller
 * fills the next, at most {@code upload-concurrency} at a time: {@code write} blocks when that many
 * are in flight, so a writer holds at most {@code upload-concurrency + 1} part buffers. The part
 * size doubles every {@value S3Writer#PARTS_PER_SIZE} parts, so that with the default part size
 * every object S3 accepts (5 TiB) fits its 10,000 parts: up to about 7.8 GiB with 8 MiB parts the
 * memory is {@code (upload-concurrency + 1) × part-size}, and larger objects use larger parts. Commit
 * completes the upload; abort, or any failure, aborts it, so nothing is left but (after a crash)
 * an incomplete upload that is never listed and that Arca's lifecycle rule removes after a week.
 * A part upload is retried on transient errors (it is idempotent); nothing else is retried here:
 * that is {@link io.arca.core.storage.RetryingStorage}'s job, so the client itself never retries.
 *
 * <p>If-absent commits send {@code If-None-Match: *} on PutObject and CompleteMultipartUpload; S3
 * (since August 2024) and s3proxy decide atomically, so {@link StorageFeature#ATOMIC_IF_ABSENT} is
 * declared. S3-compatible services must support conditional writes too; against a custom
 * endpoint the commit also checks for the key first, so that a service that ignores the header
 * still refuses the common, non-racing case. Server-side encryption and the storage class of the
 * URL apply to every object.
 *
 * <h2>Compatibility</h2>
 * Request checksums are sent only where S3 requires them and response checksums are checked only
 * where it requires them: many S3-compatible services reject the SDK's newer default checksum
 * headers, and Arca keeps its own SHA-256 of every artifact.
 */
public final class S3Storage implements Storage, BucketLifecycle, FolderListing {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_CONNECTIONS = 64;
    private static final AtomicInteger STORE_NUMBER = new AtomicInteger();
    /** S3 has been strongly consistent (read-after-write, lists included) since December 2020. */
    private static final Set<StorageFeature> FEATURES = Set.copyOf(EnumSet.of(StorageFeature.RANGED_READ,
            StorageFeature.ATOMIC_IF_ABSENT, StorageFeature.DURABLE_COMMIT, StorageFeature.CONSISTENT_LIST));

    private final StorageUrl url;
    private final S3Options options;
    private final String bucket;
    private final String keyPrefix;
    private final Region region;
    private final AwsCredentialsProvider ownedCredentials;
    private final SdkHttpClient httpClient;
    private final S3Client client;
    private final ThreadPoolExecutor uploads;
    private final PartBufferPool partBuffers;
    private final S3Errors errors;
    private volatile boolean closed;

    /**
     * Opens the store at {@code url} with the SDK's default credential chain. Makes no request:
     * a missing bucket or bad credentials show on the first operation.
     *
     * @throws StorageAccessException when the URL is invalid or no region can be found
     */
    public S3Storage(StorageUrl url) {
        this(url, S3Options.parse(url), DefaultCredentialsProvider.builder().build(), true, overrides -> {
        });
    }

    /**
     * Opens the store at {@code url} with explicit credentials; {@code overrides} may change the
     * client's configuration (add interceptors, set timeouts) after Arca's settings. For tests and
     * for embedding; the caller keeps ownership of {@code credentials}.
     */
    public S3Storage(StorageUrl url, AwsCredentialsProvider credentials,
            Consumer<ClientOverrideConfiguration.Builder> overrides) {
        this(url, S3Options.parse(url), Objects.requireNonNull(credentials, "credentials"), false, overrides);
    }

    private S3Storage(StorageUrl url, S3Options options, AwsCredentialsProvider credentials,
            boolean ownsCredentials, Consumer<ClientOverrideConfiguration.Builder> overrides) {
        this.url = url;
        this.options = options;
        this.bucket = options.bucket();
        this.keyPrefix = options.keyPrefix();
        this.ownedCredentials = ownsCredentials ? credentials : null;
        try {
            this.region = region(url, options);
        } catch (RuntimeException e) {
            closeQuietly(ownedCredentials);
            throw e;
        }
        String service = options.endpoint() != null ? "'" + options.endpoint() + "'" : "AWS S3 (region '" + region + "')";
        this.errors = new S3Errors(bucket, keyPrefix, url.toString(), service);
        this.httpClient = Apache5HttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .maxConnections(MAX_CONNECTIONS)
                .tcpKeepAlive(true)
                // "Expect: 100-continue" costs a round trip per upload, and s3proxy's Jetty was seen to
                // close the connection after an empty body sent with it, failing the next request
                .expectContinueEnabled(false)
                .build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(httpClient)
                .credentialsProvider(credentials)
                .region(region)
                .forcePathStyle(options.pathStyle())
                // signed aws-chunked bodies (http endpoints) copy every chunk: about one byte of garbage
                // per byte sent; the parts are in memory, so the signer hashes them in place instead
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    overrides.accept(o);
                });
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        } else {
            // a bucket in another region than AWS_REGION still works (the SDK follows the redirect)
            builder.crossRegionAccessEnabled(true);
        }
        try {
            this.client = builder.build();
        } catch (RuntimeException e) {
            httpClient.close();
            closeQuietly(ownedCredentials);
            throw new StorageAccessException("cannot set up the S3 client for '" + url + "': " + e.getMessage(), null, e);
        }
        int n = STORE_NUMBER.incrementAndGet();
        this.uploads = new ThreadPoolExecutor(options.uploadConcurrency(), options.uploadConcurrency(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("arca-s3-" + n + "-upload-"));
        this.uploads.allowCoreThreadTimeOut(true);
        this.partBuffers = new PartBufferPool((int) options.partSize(), options.uploadConcurrency() + 1);
    }

    /** The region requests are signed for. */
    public Region region() {
        return region;
    }

    @Override
    public StorageUrl url() {
        return url;
    }

    @Override
    public Set<StorageFeature> features() {
        return FEATURES;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Storage.checkKey(key);
        ensureOpen();
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(options.objectKey(key)));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified()));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw errors.map(e, "stat", key);
        }
    }

    @Override
    public InputStream openRead(String key, ReadRange range) {
        Storage.checkKey(key);
        Objects.requireNonNull(range, "range");
        ensureOpen();
        if (range.length() == 0) {
            // S3 cannot express an empty range; the object must still exist
            if (stat(key).isEmpty()) {
                throw errors.notFound(key, null);
            }
            return InputStream.nullInputStream();
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(options.objectKey(key));
        if (!range.equals(ReadRange.ALL)) {
            request.range(rangeHeader(range));
        }
        try {
            return new S3InputStream(client.getObject(request.build()));
        } catch (SdkException e) {
            if (S3Errors.isInvalidRange(e)) {
                // only an existing object answers 416: the range starts at or past its end
                return InputStream.nullInputStream();
            }
            throw errors.map(e, "read", key);
        }
    }

    @Override
    public StorageWriter openWrite(String key, WriteOptions options) {
        Storage.checkKey(key);
        Objects.requireNonNull(options, "options");
        ensureOpen();
        return new S3Writer(this, key, options, this.options.partSize(), this.options.uploadConcurrency());
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.startsWith("/") || prefix.indexOf('\\') >= 0 || prefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid storage key prefix '" + prefix + "'");
        }
        ensureOpen();
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix + prefix);
        List<ObjectInfo> found = new ArrayList<>();
        try {
            while (true) {
                ListObjectsV2Response page = client.listObjectsV2(request.build());
                for (S3Object object : page.contents()) {
                    String key = object.key().substring(keyPrefix.length());
                    // objects Arca cannot have written ("folder/" markers of consoles) are not keys
                    if (isValidKey(key)) {
                        found.add(new ObjectInfo(key, object.size(), object.lastModified()));
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextContinuationToken() == null) {
                    break;
                }
                request.continuationToken(page.nextContinuationToken());
            }
        } catch (SdkException e) {
            throw errors.map(e, "list", prefix);
        }
        found.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return found;
    }

    @Override
    public Level level(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && !prefix.endsWith("/") || prefix.startsWith("/")) {
            throw new IllegalArgumentException("invalid folder prefix '" + prefix + "'");
        }
        ensureOpen();
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix + prefix)
                .delimiter("/");
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        try {
            while (true) {
                ListObjectsV2Response page = client.listObjectsV2(request.build());
                for (S3Object object : page.contents()) {
                    String key = object.key().substring(keyPrefix.length());
                    if (isValidKey(key)) {
                        objects.add(new ObjectInfo(key, object.size(), object.lastModified()));
                    }
                }
                for (CommonPrefix folder : page.commonPrefixes()) {
                    String name = folder.prefix().substring(keyPrefix.length());
                    // "a//" holds no valid key
                    if (name.length() > prefix.length() + 1 && isValidKey(name.substring(0, name.length() - 1))) {
                        folders.add(name);
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextContinuationToken() == null) {
                    break;
                }
                request.continuationToken(page.nextContinuationToken());
            }
        } catch (SdkException e) {
            throw errors.map(e, "list", prefix);
        }
        objects.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        folders.sort(Storage::compareKeys);
        return new Level(objects, folders);
    }

    @Override
    public void delete(String key) {
        Storage.checkKey(key);
        ensureOpen();
        try {
            client.deleteObject(b -> b.bucket(bucket).key(options.objectKey(key)));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return;
            }
            throw errors.map(e, "delete", key);
        }
    }

    @Override
    public String ruleId() {
        return S3LifecycleRules.ruleId(options.prefix());
    }

    @Override
    public String rulePrefix() {
        return keyPrefix;
    }

    @Override
    public List<LifecycleRule> rules(String prefix) {
        ensureOpen();
        List<LifecycleRule> rules = new ArrayList<>();
        for (var rule : bucketRules()) {
            if (S3LifecycleRules.overlaps(S3LifecycleRules.prefix(rule), prefix)) {
                S3LifecycleRules.fromSdk(rule).ifPresent(rules::add);
            }
        }
        return rules;
    }

    /**
     * Adds or replaces the rule by reading the bucket's lifecycle configuration and writing it back.
     * S3 has no conditional write for it: a concurrent change by someone else may be lost.
     */
    @Override
    public void apply(LifecycleRule rule) {
        Objects.requireNonNull(rule, "rule");
        ensureOpen();
        var sdkRule = S3LifecycleRules.toSdk(rule);
        var merged = S3LifecycleRules.merge(bucketRules(), sdkRule, bucket);
        try {
            client.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(merged)));
        } catch (SdkException e) {
            throw errors.map(e, "change the lifecycle rules for", rulePrefix());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        uploads.shutdownNow();
        client.close();
        httpClient.close();
        closeQuietly(ownedCredentials);
    }

    @Override
    public String toString() {
        return "S3Storage[" + url + "]";
    }

    // ---- used by S3Writer ----

    ExecutorService uploads() {
        return uploads;
    }

    PartBufferPool partBuffers() {
        return partBuffers;
    }

    /** Starts a multipart upload and returns its id. */
    String createMultipartUpload(String key) {
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(options.objectKey(key))
                .contentType("application/octet-stream")
                .serverSideEncryption(options.sse())
                .ssekmsKeyId(options.sseKmsKeyId())
                .storageClass(options.storageClass());
        try {
            return client.createMultipartUpload(request.build()).uploadId();
        } catch (SdkException e) {
            throw errors.map(e, "write", key);
        }
    }

    /** Uploads one part from {@code data[0, length)}. */
    CompletedPart uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) {
        try {
            UploadPartResponse response = client.uploadPart(b -> b.bucket(bucket).key(options.objectKey(key))
                    .uploadId(uploadId).partNumber(partNumber).contentLength((long) length), body(data, length));
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build();
        } catch (SdkException e) {
            throw errors.map(e, "write part " + partNumber + " of", key);
        }
    }

    /** Publishes {@code data[0, length)} with one PutObject. */
    ObjectInfo putObject(String key, byte[] data, int length, WriteOptions.Mode mode) {
        checkAbsent(key, mode);
        PutObjectRequest request = PutObjectRequest.builder()
                .bucket(bucket).key(options.objectKey(key))
                .contentLength((long) length)
                .contentType("application/octet-stream")
                .serverSideEncryption(options.sse())
                .ssekmsKeyId(options.sseKmsKeyId())
                .storageClass(options.storageClass())
                .ifNoneMatch(mode == WriteOptions.Mode.IF_ABSENT ? "*" : null)
                .build();
        try {
            PutObjectResponse response = client.putObject(request, body(data, length));
            return new ObjectInfo(key, length, committedAt(key, response.sdkHttpResponse()));
        } catch (SdkException e) {
            throw commitFailure(e, key, mode);
        }
    }

    /** Publishes a multipart upload whose parts are all uploaded. */
    ObjectInfo completeMultipartUpload(String key, String uploadId, List<CompletedPart> parts, long size,
            WriteOptions.Mode mode) {
        checkAbsent(key, mode);
        CompleteMultipartUploadRequest request = CompleteMultipartUploadRequest.builder()
                .bucket(bucket).key(options.objectKey(key)).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))
                .ifNoneMatch(mode == WriteOptions.Mode.IF_ABSENT ? "*" : null)
                .build();
        try {
            CompleteMultipartUploadResponse response = client.completeMultipartUpload(request);
            return new ObjectInfo(key, size, committedAt(key, response.sdkHttpResponse()));
        } catch (SdkException e) {
            throw commitFailure(e, key, mode);
        }
    }

    /** Aborts a multipart upload; failures are ignored (an incomplete upload is never listed). */
    void abortMultipartUpload(String key, String uploadId) {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(options.objectKey(key)).uploadId(uploadId));
        } catch (SdkException e) {
            // the lifecycle rule's abort of incomplete uploads removes what is left
        }
    }

    private void checkAbsent(String key, WriteOptions.Mode mode) {
        // A service that ignores If-None-Match would overwrite; this check makes that best effort at least.
        if (mode == WriteOptions.Mode.IF_ABSENT && options.endpoint() != null && stat(key).isPresent()) {
            throw errors.alreadyExists(key, null);
        }
    }

    private StorageException commitFailure(SdkException e, String key, WriteOptions.Mode mode) {
        if (mode == WriteOptions.Mode.IF_ABSENT && S3Errors.isConditionalConflict(e)) {
            return errors.alreadyExists(key, e);
        }
        return errors.map(e, "commit", key);
    }

    /**
     * When the object was committed: the response's {@code Date}, which S3 sets when it finished
     * the request, saving a HEAD; the object's own time if a service sends no date.
     */
    private Instant committedAt(String key, SdkHttpResponse response) {
        Optional<String> date = response == null ? Optional.empty() : response.firstMatchingHeader("Date");
        if (date.isPresent()) {
            try {
                return ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                // fall through to asking for the object
            }
        }
        return stat(key).map(ObjectInfo::lastModified).orElseThrow(() -> errors.notFound(key, null));
    }

    private static RequestBody body(byte[] data, int length) {
        // a fresh stream per attempt over the caller's buffer: no copy, and replayable for signing
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                "application/octet-stream");
    }

    private static String rangeHeader(ReadRange range) {
        long first = range.offset();
        if (range.length() == ReadRange.TO_END || range.length() > Long.MAX_VALUE - first) {
            return "bytes=" + first + "-";
        }
        return "bytes=" + first + "-" + (first + range.length() - 1);
    }

    private List<software.amazon.awssdk.services.s3.model.LifecycleRule> bucketRules() {
        try {
            return client.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules();
        } catch (SdkException e) {
            if (e instanceof AwsServiceException service
                    && "NoSuchLifecycleConfiguration".equals(S3Errors.code(service))) {
                return List.of();
            }
            throw errors.map(e, "read the lifecycle rules for", rulePrefix());
        }
    }

    private static boolean isValidKey(String key) {
        try {
            Storage.checkKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The region: the URL's, else the SDK's chain ({@code AWS_REGION}, the profile, and on AWS
     * EC2 metadata), else {@code us-east-1} for a custom endpoint, where it only enters signatures.
     */
    private static Region region(StorageUrl url, S3Options options) {
        if (options.region() != null) {
            return Region.of(options.region());
        }
        // EC2 metadata would only delay a custom endpoint off AWS by its timeouts
        AwsRegionProvider chain = options.endpoint() != null
                ? new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                : DefaultAwsRegionProviderChain.builder().build();
        try {
            return chain.getRegion();
        } catch (RuntimeException e) {
            if (options.endpoint() != null) {
                return Region.US_EAST_1;
            }
            throw new StorageAccessException("no AWS region known for bucket '" + options.bucket() + "' in '" + url
                    + "'", "add ?region=<the bucket's region> to the repository URL, or set AWS_REGION", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("storage '" + url + "' is closed");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            // a store left open must not keep the JVM alive
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void closeQuietly(AwsCredentialsProvider credentials) {
        if (credentials instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // releasing a credentials refresher: nothing to do if it fails
            }
        }
    }
}
