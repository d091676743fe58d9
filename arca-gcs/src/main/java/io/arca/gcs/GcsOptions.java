package io.arca.gcs;

import io.arca.core.error.UsageException;
import com.google.cloud.storage.StorageClass;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a {@link GcsStorage} talks to Google Cloud Storage, read from the query of a
 * {@code gs://bucket/prefix?option=value&...} URL by {@link #parse(StorageUrl, Map)}:
 * <ul>
 *   <li>{@code project}: the Google Cloud project (billing and quota); by default the one of the
 *       credentials or the gcloud configuration;
 *   <li>{@code endpoint}: {@code https://host[:port]} or, for an emulator, {@code http://host:port};
 *       without it the environment variable {@value #EMULATOR_HOST_ENV} is used as the Go and Python
 *       clients use it ({@code host:port}, plain HTTP, no credentials), else Google's endpoint;
 *   <li>{@code storage-class}: {@code STANDARD}, {@code NEARLINE}, {@code COLDLINE} or {@code ARCHIVE},
 *       set on every object written; by default the bucket's default class;
 *   <li>{@code chunk-size}: the bytes sent per request of a resumable upload, a multiple of 256 KiB
 *       such as {@code 8MiB} (default 16 MiB). Objects up to this size go up in a single request.
 *       Each writer holds up to this much in memory, twice during the hand-over to a resumable
 *       upload.
 * </ul>
 * Credentials never come from the URL: requests use the application default credentials
 * ({@code GOOGLE_APPLICATION_CREDENTIALS}, {@code gcloud auth application-default login}, or the
 * metadata server on Google Cloud), except towards emulators, which get none.
 *
 * @param project the project, or null for the library's default
 * @param endpoint the service's root URL without trailing slash, or null for Google's
 * @param anonymous true when requests carry no credentials: emulators, and plain-HTTP endpoints,
 *     which must never see a token
 * @param storageClass the class of every object written, or null for the bucket's default
 * @param chunkSize bytes per resumable-upload request and the largest single-request upload
 * @param listPageSize objects per list request (the service returns at most 1 000)
 */
public record GcsOptions(String project, String endpoint, boolean anonymous, StorageClass storageClass,
        int chunkSize, int listPageSize) {

    /** The query options a {@code gs://} URL may carry. */
    public static final Set<String> URL_OPTIONS = Set.of("project", "endpoint", "storage-class", "chunk-size");
    /** The environment variable that points Google's clients at an emulator. */
    public static final String EMULATOR_HOST_ENV = "STORAGE_EMULATOR_HOST";
    /** The resumable upload granularity: chunk sizes are multiples of it. */
    public static final int CHUNK_GRANULARITY = 256 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
    /** Bounds the memory a writer holds. */
    public static final int MAX_CHUNK_SIZE = 256 * 1024 * 1024;
    public static final int MAX_LIST_PAGE_SIZE = 1_000;

    private static final List<String> STORAGE_CLASSES = List.of("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(|b|kib|mib|gib)", Pattern.CASE_INSENSITIVE);

    public GcsOptions {
        if (chunkSize < CHUNK_GRANULARITY || chunkSize > MAX_CHUNK_SIZE || chunkSize % CHUNK_GRANULARITY != 0) {
            throw new UsageException("chunk size " + chunkSize + " is not a multiple of 256 KiB up to 256 MiB");
        }
        if (listPageSize < 1 || listPageSize > MAX_LIST_PAGE_SIZE) {
            throw new UsageException("list page size " + listPageSize + " is not between 1 and 1000");
        }
    }

    /**
     * Reads the options of a {@code gs://} URL, checking its bucket and prefix too.
     *
     * @param env the process environment, for {@value #EMULATOR_HOST_ENV}
     * @throws StorageAccessException when the URL or an option is invalid
     */
    public static GcsOptions parse(StorageUrl url, Map<String, String> env) {
        GcsStorage.bucketOf(url);
        GcsStorage.prefixOf(url);
        Map<String, String> given = url.parameters(URL_OPTIONS);
        String project = given.get("project");
        if (project != null && project.isBlank()) {
            throw invalid(url, "project", project, "give the project id, as in project=my-project");
        }
        String endpoint = null;
        boolean anonymous = false;
        if (given.containsKey("endpoint")) {
            endpoint = endpoint(url, given.get("endpoint"));
            anonymous = endpoint.startsWith("http:");
        } else {
            String emulator = env.get(EMULATOR_HOST_ENV);
            if (emulator != null && !emulator.isBlank()) {
                endpoint = emulatorEndpoint(emulator.trim());
                anonymous = true;
            }
        }
        StorageClass storageClass = null;
        if (given.containsKey("storage-class")) {
            String name = given.get("storage-class").trim().toUpperCase(Locale.ROOT);
            if (!STORAGE_CLASSES.contains(name)) {
                throw invalid(url, "storage-class", given.get("storage-class"),
                        "use one of " + String.join(", ", STORAGE_CLASSES));
            }
            storageClass = StorageClass.valueOf(name);
        }
        int chunkSize = DEFAULT_CHUNK_SIZE;
        if (given.containsKey("chunk-size")) {
            chunkSize = chunkSize(url, given.get("chunk-size"));
        }
        return new GcsOptions(project, endpoint, anonymous, storageClass, chunkSize, MAX_LIST_PAGE_SIZE);
    }

    /** These options with another list page size (tests use small pages to see paging). */
    public GcsOptions withListPageSize(int size) {
        return new GcsOptions(project, endpoint, anonymous, storageClass, chunkSize, size);
    }

    private static String endpoint(StorageUrl url, String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw invalid(url, "endpoint", text, "write it as https://host[:port], or http://host:port for an emulator");
        }
        if (uri.getRawUserInfo() != null) {
            // the URL would repeat the secret, so name only the bucket
            throw new StorageAccessException("the endpoint option of the repository URL for bucket '" + url.authority()
                    + "' contains user information", "gs:// URLs carry no credentials; use application default "
                    + "credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`)", null);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(path.isEmpty() || path.equals("/"))) {
            throw invalid(url, "endpoint", text, "write it as https://host[:port], or http://host:port for an emulator");
        }
        return scheme + "://" + uri.getRawAuthority();
    }

    private static String emulatorEndpoint(String host) {
        String withScheme = host.contains("://") ? host : "http://" + host;
        return withScheme.endsWith("/") ? withScheme.substring(0, withScheme.length() - 1) : withScheme;
    }

    private static int chunkSize(StorageUrl url, String text) {
        Matcher m = SIZE.matcher(text.trim());
        String hint = "give a multiple of 256KiB up to 256MiB, such as chunk-size=8MiB";
        if (!m.matches()) {
            throw invalid(url, "chunk-size", text, hint);
        }
        long size = Long.parseLong(m.group(1)) * switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "kib" -> 1024L;
            case "mib" -> 1024L * 1024;
            case "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (size < CHUNK_GRANULARITY || size > MAX_CHUNK_SIZE || size % CHUNK_GRANULARITY != 0) {
            throw invalid(url, "chunk-size", text, hint);
        }
        return (int) size;
    }

    private static StorageAccessException invalid(StorageUrl url, String option, String value, String hint) {
        return new StorageAccessException("invalid " + option + " '" + value + "' in repository URL '" + url + "'",
                hint, null);
    }
}
