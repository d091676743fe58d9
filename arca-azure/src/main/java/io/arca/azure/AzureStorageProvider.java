package io.arca.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Serves {@code azure://container/prefix?options} URLs with an {@link AzureStorage}; the options
 * are in {@link AzureOptions}. Credentials come from the environment, the first that applies:
 * <ol>
 *   <li>{@value #CONNECTION_STRING}: account, key or SAS, and endpoint in one string (Azurite's
 *       too). An {@code account} option must then name the same account, so a connection string
 *       set for another account never receives this repository's backups;
 *   <li>{@value #SAS_TOKEN}, with the {@code account} option, {@value #ACCOUNT} or the
 *       {@code endpoint} option;
 *   <li>{@value #KEY} with the {@code account} option or {@value #ACCOUNT};
 *   <li>otherwise Azure's {@code DefaultAzureCredential} (environment service principal, workload
 *       or managed identity, Azure CLI login), with the account named as for a SAS token.
 * </ol>
 * The endpoint is the {@code endpoint} option, else {@code https://<account>.blob.core.windows.net}.
 *
 * <p>The client uses the JDK HTTP client with bounded timeouts and makes one attempt per call:
 * {@link io.arca.core.storage.RetryingStorage} retries transient failures. Opening touches no
 * network; a missing container or a refused credential shows on the first operation.
 */
public final class AzureStorageProvider implements StorageProvider {

    public static final String CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING";
    public static final String SAS_TOKEN = "AZURE_STORAGE_SAS_TOKEN";
    public static final String KEY = "AZURE_STORAGE_KEY";
    public static final String ACCOUNT = "AZURE_STORAGE_ACCOUNT";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Waiting for a response, or between two reads of one: long enough for a slow 8 MiB block. */
    static final Duration IO_TIMEOUT = Duration.ofSeconds(60);
    /** One whole request, body included, so that a stalled transfer cannot hang a backup. */
    static final Duration TRY_TIMEOUT = Duration.ofMinutes(15);

    private static final Pattern CONTAINER_NAME = Pattern.compile("\\$root|[a-z0-9](?:-?[a-z0-9]){2,62}");

    private final Function<String, String> env;

    public AzureStorageProvider() {
        this(System::getenv);
    }

    /** A provider reading credentials from {@code env} instead of the process environment. */
    AzureStorageProvider(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    @Override
    public String scheme() {
        return "azure";
    }

    @Override
    public Storage open(StorageUrl url) {
        if (!url.scheme().equals("azure")) {
            throw new StorageAccessException("cannot open '" + url + "' as an azure container", null);
        }
        AzureOptions options = AzureOptions.parse(url);
        if (!CONTAINER_NAME.matcher(url.authority()).matches()) {
            throw new StorageAccessException("invalid container name '" + url.authority() + "' in repository URL '"
                    + url + "'", "a container name has 3 to 63 lowercase letters, digits and single hyphens, "
                    + "starting and ending with a letter or digit", null);
        }
        String prefix = URLDecoder.decode(url.path().replace("+", "%2B"), StandardCharsets.UTF_8);
        if (!prefix.isEmpty()) {
            try {
                Storage.checkKey(prefix);
            } catch (IllegalArgumentException e) {
                throw new StorageAccessException("invalid prefix '" + prefix + "' in repository URL '" + url + "'",
                        "give the prefix as folder names separated by single '/'", e);
            }
        }
        return new AzureStorage(url, container(url, options), prefix, options);
    }

    /** The container's client, with credentials chosen as the class comment says. */
    private BlobContainerClient container(StorageUrl url, AzureOptions options) {
        HttpClient http = httpClient();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .httpClient(http)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, TRY_TIMEOUT, null, null, null));
        String account = options.account() != null ? options.account() : env(ACCOUNT);
        String connectionString = env(CONNECTION_STRING);
        try {
            if (connectionString != null) {
                String named = connectionStringPart(connectionString, "AccountName");
                checkKey(connectionStringPart(connectionString, "AccountKey"), CONNECTION_STRING);
                if (options.account() != null && named != null && !named.equals(options.account())) {
                    throw new StorageAccessException("repository URL '" + url + "' names account '"
                            + options.account() + "' but " + CONNECTION_STRING + " is for account '" + named + "'",
                            "unset " + CONNECTION_STRING + " or remove the account option", null);
                }
                builder.connectionString(connectionString);
                if (options.endpoint() != null) {
                    builder.endpoint(options.endpoint());
                }
            } else if (env(SAS_TOKEN) != null) {
                builder.endpoint(endpoint(url, options, account)).sasToken(env(SAS_TOKEN));
            } else if (env(KEY) != null) {
                if (account == null) {
                    throw new StorageAccessException(KEY + " is set but no storage account is named for '" + url
                            + "'", "set " + ACCOUNT + " or add ?account=NAME to the repository URL", null);
                }
                checkKey(env(KEY), KEY);
                builder.endpoint(endpoint(url, options, account))
                        .credential(new StorageSharedKeyCredential(account, env(KEY)));
            } else {
                builder.endpoint(endpoint(url, options, account))
                        .credential(new DefaultAzureCredentialBuilder().httpClient(http).build());
            }
            return builder.buildClient().getBlobContainerClient(url.authority());
        } catch (IllegalArgumentException e) {
            // the SDK's message may quote the connection string, so it stays in the cause only
            throw new StorageAccessException("cannot use the azure credentials for '" + url + "': "
                    + (connectionString != null ? CONNECTION_STRING + " is malformed" : "invalid endpoint or key"),
                    AzureErrors.CREDENTIAL_HINT, e);
        }
    }

    private String endpoint(StorageUrl url, AzureOptions options, String account) {
        if (options.endpoint() != null) {
            return options.endpoint();
        }
        if (account == null) {
            throw new StorageAccessException("no azure storage account named for '" + url + "'",
                    "set " + CONNECTION_STRING + ", or name the account (?account=NAME or " + ACCOUNT + ") and give "
                    + KEY + " or " + SAS_TOKEN + " or sign in to Azure (managed identity, az login)", null);
        }
        return "https://" + account + ".blob.core.windows.net";
    }

    private String env(String name) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The value of {@code name=} in a connection string, or null. */
    static String connectionStringPart(String connectionString, String name) {
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(name)) {
                return part.substring(eq + 1).trim();
            }
        }
        return null;
    }

    /** An account key is base64; the SDK would find out only when signing the first request. */
    private static void checkKey(String key, String variable) {
        try {
            if (key != null) {
                Base64.getDecoder().decode(key);
            }
        } catch (IllegalArgumentException e) {
            throw new StorageAccessException("the account key in " + variable + " is not base64",
                    "copy the key again from the portal or 'az storage account keys list'", null);
        }
    }

    private static HttpClient httpClient() {
        // Blob Storage speaks HTTP/1.1; asking for HTTP/2 would send an upgrade header with every http:// request
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1))
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(IO_TIMEOUT)
                .readTimeout(IO_TIMEOUT)
                .writeTimeout(IO_TIMEOUT)
                .build();
    }
}
