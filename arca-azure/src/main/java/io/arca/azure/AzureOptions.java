package io.arca.azure;

import io.arca.core.error.UsageException;
import com.azure.storage.blob.models.AccessTier;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of an {@code azure://container/prefix?name=value&...} repository URL. None of them
 * is a secret: credentials come from the environment only (see {@link AzureStorageProvider}).
 *
 * @param account the storage account name, or null to take it from the environment or endpoint
 * @param endpoint the blob service endpoint ({@code https://host[/path]}, for Azurite, sovereign
 *     clouds or private endpoints), or null for {@code https://<account>.blob.core.windows.net}
 * @param accessTier the tier set on every blob written (Hot, Cool, Cold or Archive), or null for
 *     the account's default tier
 * @param blockSize bytes per staged block of a large upload, and per ranged request of a read
 * @param uploadConcurrency how many blocks of one upload are staged at the same time
 */
public record AzureOptions(String account, String endpoint, AccessTier accessTier, int blockSize,
        int uploadConcurrency) {

    public static final String ACCOUNT = "account";
    public static final String ENDPOINT = "endpoint";
    public static final String ACCESS_TIER = "access-tier";
    public static final String BLOCK_SIZE = "block-size";
    public static final String UPLOAD_CONCURRENCY = "upload-concurrency";
    /** Every option name, for {@link StorageUrl#parameters(Set)}. */
    public static final Set<String> NAMES = Set.of(ACCOUNT, ENDPOINT, ACCESS_TIER, BLOCK_SIZE, UPLOAD_CONCURRENCY);

    public static final int DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
    public static final int MIN_BLOCK_SIZE = 64 * 1024;
    public static final int MAX_BLOCK_SIZE = 256 * 1024 * 1024;
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
    public static final int MAX_UPLOAD_CONCURRENCY = 64;

    /** No account or endpoint, the account's default tier, 8 MiB blocks, 4 in parallel. */
    public static final AzureOptions DEFAULT =
            new AzureOptions(null, null, null, DEFAULT_BLOCK_SIZE, DEFAULT_UPLOAD_CONCURRENCY);

    private static final Map<String, AccessTier> TIERS = Map.of(
            "hot", AccessTier.HOT, "cool", AccessTier.COOL, "cold", AccessTier.COLD, "archive", AccessTier.ARCHIVE);
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(|k|kib|m|mib|g|gib)", Pattern.CASE_INSENSITIVE);

    public AzureOptions {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new UsageException("block size " + blockSize + " is outside " + MIN_BLOCK_SIZE + " to "
                    + MAX_BLOCK_SIZE);
        }
        if (uploadConcurrency < 1 || uploadConcurrency > MAX_UPLOAD_CONCURRENCY) {
            throw new UsageException("upload concurrency " + uploadConcurrency + " is outside 1 to "
                    + MAX_UPLOAD_CONCURRENCY);
        }
    }

    public AzureOptions withAccessTier(AccessTier tier) {
        return new AzureOptions(account, endpoint, tier, blockSize, uploadConcurrency);
    }

    public AzureOptions withBlockSize(int size) {
        return new AzureOptions(account, endpoint, accessTier, size, uploadConcurrency);
    }

    public AzureOptions withUploadConcurrency(int concurrency) {
        return new AzureOptions(account, endpoint, accessTier, blockSize, concurrency);
    }

    /**
     * Reads the options of {@code url}; absent ones keep their defaults.
     *
     * @throws StorageAccessException for an unknown option or an invalid value
     */
    public static AzureOptions parse(StorageUrl url) {
        Map<String, String> given = url.parameters(NAMES);
        String account = given.get(ACCOUNT);
        if (account != null && !ACCOUNT_NAME.matcher(account).matches()) {
            throw invalid(url, ACCOUNT, account, "a storage account name has 3 to 24 lowercase letters and digits");
        }
        String endpoint = given.containsKey(ENDPOINT) ? endpoint(url, given.get(ENDPOINT)) : null;
        AccessTier tier = null;
        if (given.containsKey(ACCESS_TIER)) {
            tier = TIERS.get(given.get(ACCESS_TIER).toLowerCase(Locale.ROOT));
            if (tier == AccessTier.ARCHIVE) {
                // every blob written would be archived, arca.json, manifests and leases too: unreadable for hours
                throw invalid(url, ACCESS_TIER, given.get(ACCESS_TIER), "use Hot, Cool or Cold; move old backups to"
                        + " Archive with a lifecycle management policy ('arca storage lifecycle' prints one)");
            }
            if (tier == null) {
                throw invalid(url, ACCESS_TIER, given.get(ACCESS_TIER), "use Hot, Cool or Cold");
            }
        }
        int blockSize = DEFAULT_BLOCK_SIZE;
        if (given.containsKey(BLOCK_SIZE)) {
            long size = size(given.get(BLOCK_SIZE));
            if (size < MIN_BLOCK_SIZE || size > MAX_BLOCK_SIZE) {
                throw invalid(url, BLOCK_SIZE, given.get(BLOCK_SIZE),
                        "give a size from 64KiB to 256MiB, such as block-size=16MiB");
            }
            blockSize = (int) size;
        }
        int concurrency = DEFAULT_UPLOAD_CONCURRENCY;
        if (given.containsKey(UPLOAD_CONCURRENCY)) {
            String value = given.get(UPLOAD_CONCURRENCY);
            concurrency = value.matches("\\d{1,3}") ? Integer.parseInt(value) : -1;
            if (concurrency < 1 || concurrency > MAX_UPLOAD_CONCURRENCY) {
                throw invalid(url, UPLOAD_CONCURRENCY, value, "give a number from 1 to " + MAX_UPLOAD_CONCURRENCY);
            }
        }
        return new AzureOptions(account, endpoint, tier, blockSize, concurrency);
    }

    /** Bytes in {@code text}: a number with an optional binary suffix (k, KiB, M, MiB, G, GiB), or -1. */
    static long size(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k", "kib" -> 10;
            case "m", "mib" -> 20;
            case "g", "gib" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private static String endpoint(StorageUrl url, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(url, ENDPOINT, value, "give the blob service URL, such as https://NAME.blob.core.windows.net");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw invalid(url, ENDPOINT, value, "give the blob service URL, such as https://NAME.blob.core.windows.net");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            // a SAS token here would end up in logs and messages with the repository URL
            throw new StorageAccessException("the endpoint in repository URL '" + url.scheme() + "://" + url.authority()
                    + "' carries a query or user name", "give the SAS token in AZURE_STORAGE_SAS_TOKEN, not in the URL",
                    null);
        }
        return value.replaceAll("/+$", "");
    }

    private static StorageAccessException invalid(StorageUrl url, String option, String value, String hint) {
        return new StorageAccessException("invalid " + option + " '" + value + "' in repository URL '" + url + "'", hint,
                null);
    }
}
