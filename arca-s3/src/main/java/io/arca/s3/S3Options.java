package io.arca.s3;

import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * Where an S3 store is and how it writes, parsed from {@code s3://bucket/prefix?option=value&...}.
 * Credentials never come from the URL: the AWS SDK's default chain supplies them.
 *
 * <p>URL options:
 * <ul>
 *   <li>{@code region}: the bucket's region; default {@code AWS_REGION} or the profile's region,
 *       then on AWS the instance's region, and {@code us-east-1} with an endpoint;
 *   <li>{@code endpoint}: an S3-compatible service ({@code http://127.0.0.1:9000}); default AWS;
 *   <li>{@code path-style}: {@code true} to address the bucket in the path rather than the host
 *       name; default {@code true} with an endpoint, else {@code false};
 *   <li>{@code sse}: server-side encryption, {@code AES256}, {@code aws:kms} or {@code aws:kms:dsse};
 *       default the bucket's;
 *   <li>{@code sse-kms-key-id}: the KMS key for {@code aws:kms}; default the account's S3 key;
 *   <li>{@code storage-class}: the class of every object written ({@code STANDARD},
 *       {@code STANDARD_IA}, {@code ONEZONE_IA}, {@code INTELLIGENT_TIERING}, {@code GLACIER_IR},
 *       {@code REDUCED_REDUNDANCY}); archive classes are refused here because their objects cannot
 *       be read without a restore: use a lifecycle rule for old backups instead;
 *   <li>{@code part-size}: the multipart part size and so the memory per upload ({@code 8MiB},
 *       {@code 16MB}, bytes); 5 MiB to 1 GiB, default 8 MiB;
 *   <li>{@code upload-concurrency}: parts uploaded at once per store, 1 to 64, default 4.
 * </ul>
 *
 * @param bucket the bucket
 * @param prefix the key prefix inside the bucket, without leading or trailing {@code /}, possibly empty
 * @param region the region name, or null for the SDK's region chain
 * @param endpoint the service endpoint, or null for AWS
 * @param pathStyle whether the bucket goes into the path
 * @param sse the server-side encryption, or null for the bucket's default
 * @param sseKmsKeyId the KMS key id, or null
 * @param storageClass the storage class of new objects, or null for the bucket's default
 * @param partSize bytes per multipart part (at the start; see {@link S3Storage})
 * @param uploadConcurrency parts uploaded at once
 */
public record S3Options(String bucket, String prefix, String region, URI endpoint, boolean pathStyle,
        ServerSideEncryption sse, String sseKmsKeyId, StorageClass storageClass, long partSize,
        int uploadConcurrency) {

    public static final String REGION = "region";
    public static final String ENDPOINT = "endpoint";
    public static final String PATH_STYLE = "path-style";
    public static final String SSE = "sse";
    public static final String SSE_KMS_KEY_ID = "sse-kms-key-id";
    public static final String STORAGE_CLASS = "storage-class";
    public static final String PART_SIZE = "part-size";
    public static final String UPLOAD_CONCURRENCY = "upload-concurrency";

    /** Every URL option this provider reads. */
    public static final Set<String> OPTIONS = Set.of(REGION, ENDPOINT, PATH_STYLE, SSE, SSE_KMS_KEY_ID,
            STORAGE_CLASS, PART_SIZE, UPLOAD_CONCURRENCY);

    static final long MIB = 1024 * 1024;
    /** S3's smallest part (all but the last). */
    public static final long MIN_PART_SIZE = 5 * MIB;
    /** The largest part size taken: parts are held in memory, upload-concurrency + 1 of them per write. */
    public static final long MAX_PART_SIZE = 1024 * MIB;
    public static final long DEFAULT_PART_SIZE = 8 * MIB;
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    static final int MAX_UPLOAD_CONCURRENCY = 64;

    private static final List<ServerSideEncryption> SSE_VALUES =
            List.of(ServerSideEncryption.AES256, ServerSideEncryption.AWS_KMS, ServerSideEncryption.AWS_KMS_DSSE);
    private static final List<StorageClass> STORAGE_CLASSES = List.of(StorageClass.STANDARD,
            StorageClass.STANDARD_IA, StorageClass.ONEZONE_IA, StorageClass.INTELLIGENT_TIERING,
            StorageClass.GLACIER_IR, StorageClass.REDUCED_REDUNDANCY);

    public S3Options {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new UsageException("part size " + partSize + " is outside 5 MiB to 1 GiB");
        }
        if (uploadConcurrency < 1 || uploadConcurrency > MAX_UPLOAD_CONCURRENCY) {
            throw new UsageException("upload concurrency " + uploadConcurrency + " is outside 1 to 64");
        }
    }

    /**
     * Reads the options of an {@code s3://} URL.
     *
     * @throws StorageAccessException when an option is unknown, given twice or invalid, or the URL
     *     carries credentials
     */
    public static S3Options parse(StorageUrl url) {
        if (!url.scheme().equals("s3")) {
            throw new StorageAccessException("cannot open '" + url + "' as an S3 bucket", "use s3://bucket/prefix", null);
        }
        if (url.authority().contains("@")) {
            String bucket = url.authority().substring(url.authority().lastIndexOf('@') + 1);
            // never echo the URL: the part before '@' is a secret
            throw new StorageAccessException("the repository URL of bucket '" + bucket + "' contains credentials",
                    "remove them from the URL and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
                    null);
        }
        String bucket = url.authority();
        if (bucket.contains(":")) {
            throw invalid(url, "the bucket '" + bucket + "' contains ':'",
                    "give a custom service as ?endpoint=http://host:port, not in the bucket name");
        }
        Map<String, String> options = url.parameters(OPTIONS);
        String region = blankToNull(options.get(REGION));
        URI endpoint = endpoint(url, options.get(ENDPOINT));
        boolean pathStyle = bool(url, PATH_STYLE, options.get(PATH_STYLE), endpoint != null);
        ServerSideEncryption sse = sse(url, options.get(SSE));
        String kmsKeyId = blankToNull(options.get(SSE_KMS_KEY_ID));
        if (kmsKeyId != null && sse != ServerSideEncryption.AWS_KMS && sse != ServerSideEncryption.AWS_KMS_DSSE) {
            throw invalid(url, "option 'sse-kms-key-id' needs sse=aws:kms or sse=aws:kms:dsse",
                    "add &sse=aws:kms to the repository URL");
        }
        StorageClass storageClass = storageClass(url, options.get(STORAGE_CLASS));
        long partSize = partSize(url, options.get(PART_SIZE));
        int concurrency = concurrency(url, options.get(UPLOAD_CONCURRENCY));
        return new S3Options(bucket, decodePath(url), region, endpoint, pathStyle, sse, kmsKeyId, storageClass,
                partSize, concurrency);
    }

    /** The key of {@code key} in the bucket: {@code prefix/key}, or {@code key} at the root. */
    String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** The prefix of every object of this store in the bucket: {@code prefix/}, or empty at the root. */
    String keyPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /**
     * Parses a size: bytes, or a number with {@code KiB}, {@code MiB}, {@code GiB} (powers of 1024;
     * also {@code K}, {@code M}, {@code G}) or {@code KB}, {@code MB}, {@code GB} (powers of 1000).
     *
     * @throws IllegalArgumentException when the text is not such a size
     */
    static long parseSize(String text) {
        String t = text.trim();
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0) {
            throw new UsageException("not a size: '" + text + "'");
        }
        long number;
        try {
            number = Long.parseLong(t.substring(0, split));
        } catch (NumberFormatException e) {
            throw new UsageException("not a size: '" + text + "'", e);
        }
        long unit = switch (t.substring(split).trim().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "kib" -> 1024;
            case "m", "mib" -> MIB;
            case "g", "gib" -> 1024 * MIB;
            case "kb" -> 1000;
            case "mb" -> 1000_000;
            case "gb" -> 1000_000_000;
            default -> throw new UsageException("not a size: '" + text + "'");
        };
        try {
            return Math.multiplyExact(number, unit);
        } catch (ArithmeticException e) {
            throw new UsageException("size too large: '" + text + "'", e);
        }
    }

    private static String decodePath(StorageUrl url) {
        try {
            // the path is raw (percent-encoded) in StorageUrl; keys are plain text
            return new URI("s3://b/" + url.path()).getPath().substring(1);
        } catch (URISyntaxException e) {
            throw new StorageAccessException("invalid key prefix '" + url.path() + "' in repository URL '" + url + "'",
                    null, e);
        }
    }

    private static URI endpoint(StorageUrl url, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw invalid(url, "option 'endpoint' is not a URL: '" + value + "'", "give it as http(s)://host:port");
        }
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            throw invalid(url, "option 'endpoint' must be an http or https URL with a host, not '" + value + "'",
                    "give it as http(s)://host:port");
        }
        if (uri.getUserInfo() != null) {
            throw new StorageAccessException("the endpoint of bucket '" + url.authority() + "' contains credentials",
                    "remove them from the URL and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
                    null);
        }
        return uri;
    }

    private static boolean bool(StorageUrl url, String name, String value, boolean absent) {
        if (value == null) {
            return absent;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "", "true" -> true;
            case "false" -> false;
            default -> throw invalid(url, "option '" + name + "' must be true or false, not '" + value + "'", null);
        };
    }

    private static ServerSideEncryption sse(StorageUrl url, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (ServerSideEncryption sse : SSE_VALUES) {
            if (sse.toString().equalsIgnoreCase(value.trim())) {
                return sse;
            }
        }
        throw invalid(url, "unknown server-side encryption '" + value + "'",
                "use sse=" + SSE_VALUES.stream().map(Object::toString).collect(Collectors.joining(" or sse=")));
    }

    private static StorageClass storageClass(StorageUrl url, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String name = value.trim().toUpperCase(Locale.ROOT);
        if (name.equals("GLACIER") || name.equals("DEEP_ARCHIVE")) {
            throw invalid(url, "storage class '" + name + "' would make every object unreadable until restored",
                    "write with STANDARD (or STANDARD_IA, GLACIER_IR) and move old backups to " + name
                            + " with a lifecycle rule");
        }
        StorageClass storageClass = StorageClass.fromValue(name);
        if (!STORAGE_CLASSES.contains(storageClass)) {
            throw invalid(url, "unknown storage class '" + value + "'", "use one of " + STORAGE_CLASSES.stream()
                    .map(Object::toString).collect(Collectors.joining(", ")));
        }
        return storageClass;
    }

    private static long partSize(StorageUrl url, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_PART_SIZE;
        }
        long size;
        try {
            size = parseSize(value);
        } catch (IllegalArgumentException e) {
            throw invalid(url, "option 'part-size' is not a size: '" + value + "'", "give it like part-size=16MiB");
        }
        if (size < MIN_PART_SIZE || size > MAX_PART_SIZE) {
            throw invalid(url, "option 'part-size' must be between 5MiB and 1GiB, not '" + value + "'",
                    "give it like part-size=16MiB");
        }
        return size;
    }

    private static int concurrency(StorageUrl url, String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_UPLOAD_CONCURRENCY;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= MAX_UPLOAD_CONCURRENCY) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw invalid(url, "option 'upload-concurrency' must be a number from 1 to " + MAX_UPLOAD_CONCURRENCY
                + ", not '" + value + "'", "give it like upload-concurrency=8");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static StorageAccessException invalid(StorageUrl url, String message, String hint) {
        return new StorageAccessException(message + " in repository URL '" + url + "'", hint, null);
    }
}
