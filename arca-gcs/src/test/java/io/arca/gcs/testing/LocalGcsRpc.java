package io.arca.gcs.testing;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.client.util.Data;
import com.google.api.client.util.DateTime;
import com.google.api.services.storage.model.Bucket;
import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.Tuple;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import com.google.cloud.storage.spi.v1.StorageRpc;
import com.google.cloud.storage.testing.StorageRpcTestBase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RPC layer under {@link LocalGcs}: LocalStorageHelper's in-memory {@code FakeStorageRpc}
 * keeps the objects and serves uploads and downloads, and this class puts right what the fake does
 * not do as GCS does, for the calls Arca makes:
 * <ul>
 *   <li>the fake is not thread-safe: every call, and every request of its HTTP transport, runs
 *       under one lock;
 *   <li>it ignores page tokens and drops what is past {@code maxResults}: listings are paged
 *       here, in name order, with the last name as the page token;
 *   <li>it ignores {@code ifGenerationMatch} on creates (or throws for any option), and checks it
 *       without atomicity when a resumable upload starts: {@code ifGenerationMatch=0} is checked
 *       here under the lock, on creates, when an upload starts and when it is finalised, failing
 *       with 412 as GCS does (GCS checks it when it creates the object; whether also when an
 *       upload starts is not documented, so both are modelled);
 *   <li>it makes an object visible, empty, as soon as a resumable upload starts: uploads are
 *       kept under a name in a separate bucket ({@value #UPLOADS_BUCKET}) and moved to their
 *       object when finalised, so an abandoned upload leaves nothing visible;
 *   <li>it pads a download range that ends past the object with zeros, and fails on one that
 *       starts at the end: such ranges are clamped here, or answered with 416 as GCS does;
 *   <li>it has no bucket metadata (every bucket get answers null, patches do nothing): buckets
 *       are modelled here, with a lifecycle and a metageneration; a patch honours
 *       {@code ifMetagenerationMatch}. Every bucket exists except those named
 *       {@value LocalGcs#MISSING_BUCKET_PREFIX}..., which answer 404 as a missing bucket does.
 * </ul>
 * Everything else the client asks for fails with {@link UnsupportedOperationException}, so a new
 * kind of call shows up in tests rather than being served wrongly.
 */
final class LocalGcsRpc extends StorageRpcTestBase {

    /** Where resumable uploads collect their bytes until finalised. */
    static final String UPLOADS_BUCKET = "local-gcs-uploads";

    private static final Pattern UPLOAD_URL = Pattern.compile(".*/b/" + UPLOADS_BUCKET + "/o/(upload-\\d+)(?:[?].*)?");
    private static final Pattern OBJECT_URL = Pattern.compile(".*?/b/([^/]+)/o/([^?]+)(?:[?].*)?");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
    private static final Method BUILD_REQUEST = buildRequestMethod();

    private final StorageRpc fake = (StorageRpc) LocalStorageHelper.customOptions(false).getRpc();
    private final HttpTransport fakeTransport = fake.getStorage().getRequestFactory().getTransport();
    private final com.google.api.services.storage.Storage apiary = new com.google.api.services.storage.Storage
            .Builder(new LockingTransport(), GsonFactory.getDefaultInstance(), request -> { })
            .setApplicationName("arca-local-gcs")
            .build();
    private final Map<String, Upload> uploads = new HashMap<>();
    private final Map<String, Bucket> buckets = new HashMap<>();
    private final AtomicLong generations = new AtomicLong();
    private long uploadCount;

    final AtomicLong listRequests = new AtomicLong();
    final AtomicLong singleRequestUploads = new AtomicLong();
    final AtomicLong uploadSessions = new AtomicLong();
    final AtomicLong uploadChunks = new AtomicLong();

    /** A resumable upload: the object it will become, and its precondition (null: none). */
    private record Upload(StorageObject object, Long ifGenerationMatch) {
    }

    @Override
    public synchronized StorageObject create(StorageObject object, InputStream content, Map<Option, ?> options) {
        singleRequestUploads.incrementAndGet();
        requireBucket(object.getBucket());
        checkIfAbsent(object.getBucket(), object.getName(), options);
        try {
            return store(copy(object), content.readAllBytes()).clone();
        } catch (IOException e) {
            throw new StorageException(e);
        }
    }

    @Override
    public synchronized StorageObject get(StorageObject object, Map<Option, ?> options) {
        // the real RPC answers null for a 404, whether of the object or of the bucket
        StorageObject found = fake.get(object, Map.of());
        return found == null ? null : found.clone();
    }

    @Override
    public synchronized Tuple<String, Iterable<StorageObject>> list(String bucket, Map<Option, ?> options) {
        listRequests.incrementAndGet();
        requireBucket(bucket);
        String prefix = "";
        String after = null;
        long pageSize = 1_000;
        for (Map.Entry<Option, ?> option : options.entrySet()) {
            switch (option.getKey()) {
                case PREFIX -> prefix = (String) option.getValue();
                case PAGE_TOKEN -> after = (String) option.getValue();
                case MAX_RESULTS -> pageSize = (Long) option.getValue();
                case FIELDS -> {
                    // every field is returned
                }
                default -> throw new UnsupportedOperationException("list option " + option.getKey());
            }
        }
        List<StorageObject> all = new ArrayList<>();
        for (StorageObject object : fake.list(bucket, prefix.isEmpty() ? Map.of() : Map.of(Option.PREFIX, prefix)).y()) {
            all.add(object.clone());
        }
        // GCS lists in the order of the names' UTF-8 bytes
        all.sort(Comparator.comparing(StorageObject::getName, LocalGcsRpc::compareUtf8));
        int start = 0;
        while (after != null && start < all.size() && compareUtf8(all.get(start).getName(), after) <= 0) {
            start++;
        }
        int end = (int) Math.min(all.size(), start + pageSize);
        List<StorageObject> page = all.subList(start, end);
        String next = end < all.size() ? page.get(page.size() - 1).getName() : null;
        return Tuple.of(next, page);
    }

    @Override
    public synchronized boolean delete(StorageObject object, Map<Option, ?> options) {
        return fake.delete(object, Map.of());
    }

    @Override
    public synchronized String open(StorageObject object, Map<Option, ?> options) {
        requireBucket(object.getBucket());
        checkIfAbsent(object.getBucket(), object.getName(), options);
        uploadSessions.incrementAndGet();
        String name = "upload-" + ++uploadCount;
        String uploadUrl = fake.open(new StorageObject().setBucket(UPLOADS_BUCKET).setName(name), Map.of());
        uploads.put(name, new Upload(copy(object), (Long) options.get(Option.IF_GENERATION_MATCH)));
        return uploadUrl;
    }

    @Override
    public synchronized Bucket get(Bucket bucket, Map<Option, ?> options) {
        return missing(bucket.getName()) ? null : bucket(bucket.getName()).clone();
    }

    @Override
    public synchronized Bucket patch(Bucket patch, Map<Option, ?> options) {
        requireBucket(patch.getName());
        Bucket bucket = bucket(patch.getName());
        Long expected = (Long) options.get(Option.IF_METAGENERATION_MATCH);
        if (expected != null && !expected.equals(bucket.getMetageneration())) {
            throw preconditionFailed();
        }
        if (patch.getLifecycle() != null) {
            bucket.setLifecycle(Data.isNull(patch.getLifecycle()) ? null : copy(patch.getLifecycle()));
        }
        bucket.setMetageneration(bucket.getMetageneration() + 1);
        return bucket.clone();
    }

    @Override
    public com.google.api.services.storage.Storage getStorage() {
        return apiary;
    }

    /** Uploads started and not finalised (abandoned ones stay, as sessions do on GCS). */
    synchronized int openUploads() {
        return uploads.size();
    }

    /** Buckets named {@value LocalGcs#MISSING_BUCKET_PREFIX}... do not exist; all others do. */
    private static boolean missing(String bucket) {
        return bucket.startsWith(LocalGcs.MISSING_BUCKET_PREFIX);
    }

    private static void requireBucket(String bucket) {
        if (missing(bucket)) {
            throw new StorageException(404, "The specified bucket does not exist.", "notFound", null);
        }
    }

    private Bucket bucket(String name) {
        return buckets.computeIfAbsent(name, n -> new Bucket().setName(n).setMetageneration(1L));
    }

    /** 412 when {@code ifGenerationMatch=0} was asked for and the object exists. */
    private void checkIfAbsent(String bucket, String name, Map<Option, ?> options) {
        Long generation = (Long) options.get(Option.IF_GENERATION_MATCH);
        if (generation == null) {
            return;
        }
        if (generation != 0) {
            throw new UnsupportedOperationException("only ifGenerationMatch=0 is modelled");
        }
        if (exists(bucket, name)) {
            throw preconditionFailed();
        }
    }

    private boolean exists(String bucket, String name) {
        return fake.get(new StorageObject().setBucket(bucket).setName(name), Map.of()) != null;
    }

    private StorageObject store(StorageObject object, byte[] content) {
        DateTime now = new DateTime(System.currentTimeMillis());
        object.setGeneration(generations.incrementAndGet())
                .setMetageneration(1L)
                .setSize(BigInteger.valueOf(content.length))
                .setTimeCreated(now)
                .setUpdated(now);
        fake.create(object, new ByteArrayInputStream(content), Map.of());
        return object;
    }

    private static StorageException preconditionFailed() {
        return new StorageException(412, "At least one of the pre-conditions you specified did not hold.",
                "conditionNotMet", null);
    }

    /**
     * Called under the lock after the fake answered a request to an upload: on a finalising
     * answer (200), moves the bytes to their object, or answers 412 when an if-absent upload lost
     * the race meanwhile.
     */
    private LowLevelHttpResponse finishUpload(String name, LowLevelHttpResponse answer) throws IOException {
        uploadChunks.incrementAndGet();
        if (answer.getStatusCode() != 200) {
            return answer;
        }
        Upload upload = uploads.remove(name);
        StorageObject collected = new StorageObject().setBucket(UPLOADS_BUCKET).setName(name);
        byte[] content = fake.load(collected, Map.of());
        fake.delete(collected, Map.of());
        Long ifGenerationMatch = upload.ifGenerationMatch();
        if (ifGenerationMatch != null && ifGenerationMatch == 0
                && exists(upload.object().getBucket(), upload.object().getName())) {
            return error(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
        }
        StorageObject stored = store(upload.object().clone(), content);
        return json(200, GsonFactory.getDefaultInstance().toString(stored));
    }

    /**
     * Clamps the end of a download's range to the object, which the fake pads with zeros instead,
     * and answers 416 for a range that starts at or past the end, as GCS does.
     */
    private LowLevelHttpResponse checkRange(String url, List<String[]> headers) {
        Matcher object = OBJECT_URL.matcher(url);
        if (!object.matches()) {
            return null;
        }
        StorageObject found = fake.get(new StorageObject().setBucket(object.group(1))
                .setName(URLDecoder.decode(object.group(2), StandardCharsets.UTF_8)), Map.of());
        for (String[] header : headers) {
            Matcher range = header[0].equalsIgnoreCase("range") ? RANGE.matcher(header[1]) : null;
            if (found == null || range == null || !range.matches()) {
                continue;
            }
            long size = found.getSize().longValue();
            long first = Long.parseLong(range.group(1));
            if (first >= size) {
                return error(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
            }
            if (!range.group(2).isEmpty() && Long.parseLong(range.group(2)) >= size) {
                header[1] = "bytes=" + first + "-" + (size - 1);
            }
        }
        return null;
    }

    private static LowLevelHttpResponse error(int code, String reason, String message) {
        return json(code, "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"errors\":[{\"reason\":\""
                + reason + "\",\"message\":\"" + message + "\"}]}}");
    }

    private static LowLevelHttpResponse json(int code, String body) {
        String type = "application/json; charset=UTF-8";
        // the client reads the type from the header list, not from the response's own field
        return new MockLowLevelHttpResponse().setStatusCode(code).setContentType(type).addHeader("Content-Type", type)
                .setContent(body);
    }

    /**
     * A copy of what the client passed, made as the wire would: the client's objects may hold
     * immutable lists that {@code clone()} cannot copy.
     */
    private static <T extends GenericJson> T copy(T value) {
        try {
            @SuppressWarnings("unchecked")
            Class<T> type = (Class<T>) value.getClass();
            return GsonFactory.getDefaultInstance().fromString(GsonFactory.getDefaultInstance().toString(value), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static Method buildRequestMethod() {
        try {
            // protected in HttpTransport; the fake's transport is a private class of the fake
            Method method = HttpTransport.class.getDeclaredMethod("buildRequest", String.class, String.class);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("google-http-client changed HttpTransport", e);
        }
    }

    /** Sends each request to the fake's transport under the lock, finishing uploads on the way back. */
    private final class LockingTransport extends HttpTransport {
        @Override
        protected LowLevelHttpRequest buildRequest(String method, String url) {
            return new LowLevelHttpRequest() {
                private final List<String[]> headers = new ArrayList<>();

                @Override
                public void addHeader(String name, String value) {
                    headers.add(new String[] {name, value});
                }

                @Override
                public LowLevelHttpResponse execute() throws IOException {
                    synchronized (LocalGcsRpc.this) {
                        if (method.equals("GET")) {
                            LowLevelHttpResponse refused = checkRange(url, headers);
                            if (refused != null) {
                                return refused;
                            }
                        }
                        LowLevelHttpRequest request = fakeRequest(method, url);
                        for (String[] header : headers) {
                            request.addHeader(header[0], header[1]);
                        }
                        request.setContentType(getContentType());
                        request.setContentEncoding(getContentEncoding());
                        request.setContentLength(getContentLength());
                        request.setStreamingContent(getStreamingContent());
                        LowLevelHttpResponse answer = request.execute();
                        Matcher upload = UPLOAD_URL.matcher(url);
                        return method.equals("PUT") && upload.matches() ? finishUpload(upload.group(1), answer) : answer;
                    }
                }
            };
        }

        private LowLevelHttpRequest fakeRequest(String method, String url) {
            try {
                return (LowLevelHttpRequest) BUILD_REQUEST.invoke(fakeTransport, method, url);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException io ? new UncheckedIOException(io)
                        : new IllegalStateException(e.getCause());
            }
        }
    }
}
