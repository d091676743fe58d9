package io.arca.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageProvider;
import io.arca.core.storage.StorageUrl;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Choosing credentials and validating URLs; nothing here touches the network. */
class AzureStorageProviderTest {

    private static final String KEY = "c2VjcmV0LWtleS1ub3QtZm9yLW1lc3NhZ2Vz";

    @Test
    void isFoundThroughTheServiceLoader() {
        assertThat(ServiceLoader.load(StorageProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.scheme().equals("azure"))).hasExactlyElementsOfTypes(AzureStorageProvider.class);
    }

    @Test
    void opensWithoutTouchingTheNetworkAndDeclaresItsFeatures() {
        Map<String, String> env = Map.of(AzureStorageProvider.KEY, KEY, AzureStorageProvider.ACCOUNT, "acct");

        try (Storage storage = provider(env).open(StorageUrl.parse("azure://backups/prod/db?access-tier=Cool"))) {
            assertThat(storage).isInstanceOf(AzureStorage.class);
            assertThat(storage.url()).hasToString("azure://backups/prod/db?access-tier=Cool");
            assertThat(storage.toString()).doesNotContain(KEY);
            assertThat(storage.features()).containsExactlyInAnyOrder(StorageFeature.RANGED_READ,
                    StorageFeature.ATOMIC_IF_ABSENT, StorageFeature.DURABLE_COMMIT, StorageFeature.CONSISTENT_LIST);
        }
    }

    @Test
    void withoutCredentialsOrAccountSaysWhichVariablesToSet() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> provider(Map.of()).open(StorageUrl.parse("azure://backups/prod")));

        assertThat(e).hasMessage("no azure storage account named for 'azure://backups/prod'");
        assertThat(e.hint()).contains("AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY",
                "AZURE_STORAGE_SAS_TOKEN", "?account=NAME");
    }

    @Test
    void identityIsUsedWhenOnlyTheAccountIsKnown() {
        try (Storage storage = provider(Map.of()).open(StorageUrl.parse("azure://backups/prod?account=acct"))) {
            assertThat(storage).isInstanceOf(AzureStorage.class);
        }
    }

    @Test
    void keyWithoutAccountIsRefused() {
        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> provider(Map.of(AzureStorageProvider.KEY, KEY)).open(StorageUrl.parse("azure://backups/p")));

        assertThat(e).hasMessageContaining("AZURE_STORAGE_KEY is set but no storage account").hasMessageNotContaining(KEY);
        assertThat(e.hint()).contains("AZURE_STORAGE_ACCOUNT");
    }

    @Test
    void connectionStringForAnotherAccountIsRefused() {
        String connectionString = "DefaultEndpointsProtocol=https;AccountName=other;AccountKey=" + KEY
                + ";EndpointSuffix=core.windows.net";

        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> provider(Map.of(AzureStorageProvider.CONNECTION_STRING, connectionString))
                        .open(StorageUrl.parse("azure://backups/p?account=mine")));

        assertThat(e).hasMessage("repository URL 'azure://backups/p?account=mine' names account 'mine' but "
                + "AZURE_STORAGE_CONNECTION_STRING is for account 'other'");
    }

    @Test
    void malformedConnectionStringIsNotRepeated() {
        String connectionString = "AccountKey=" + KEY + ";nonsense";

        StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                () -> provider(Map.of(AzureStorageProvider.CONNECTION_STRING, connectionString))
                        .open(StorageUrl.parse("azure://backups/p")));

        assertThat(e).hasMessageContaining("AZURE_STORAGE_CONNECTION_STRING is malformed").hasMessageNotContaining(KEY);
    }

    @Test
    void invalidContainerOrPrefixIsRefused() {
        Map<String, String> env = Map.of(AzureStorageProvider.KEY, KEY, AzureStorageProvider.ACCOUNT, "acct");

        assertThat(catchThrowableOfType(StorageAccessException.class,
                () -> provider(env).open(StorageUrl.parse("azure://Backups_1/p"))))
                .hasMessage("invalid container name 'Backups_1' in repository URL 'azure://Backups_1/p'");
        assertThat(catchThrowableOfType(StorageAccessException.class,
                () -> provider(env).open(StorageUrl.parse("azure://backups/a//b"))))
                .hasMessageStartingWith("invalid prefix 'a//b'");
    }

    @Test
    void keyThatIsNotBase64IsRefusedWithoutRepeatingIt() {
        String badKey = "not base64 at all!";
        Map<String, String> env = Map.of(AzureStorageProvider.KEY, badKey, AzureStorageProvider.ACCOUNT, "acct");
        Map<String, String> connectionString = Map.of(AzureStorageProvider.CONNECTION_STRING,
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + badKey);

        for (Map<String, String> variables : List.of(env, connectionString)) {
            StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                    () -> provider(variables).open(StorageUrl.parse("azure://backups/p")));

            assertThat(e).hasMessageEndingWith("is not base64").hasMessageNotContaining(badKey);
        }
    }

    @Test
    void partsOfAConnectionStringAreFound() {
        String connectionString = "DefaultEndpointsProtocol=http;AccountName=dev1;AccountKey=x==;"
                + "BlobEndpoint=http://127.0.0.1:1/dev1;";

        assertThat(AzureStorageProvider.connectionStringPart(connectionString, "AccountName")).isEqualTo("dev1");
        assertThat(AzureStorageProvider.connectionStringPart(connectionString, "accountkey")).isEqualTo("x==");
        assertThat(AzureStorageProvider.connectionStringPart("BlobEndpoint=https://h/;SharedAccessSignature=sv=1",
                "AccountName")).isNull();
    }

    private static AzureStorageProvider provider(Map<String, String> env) {
        return new AzureStorageProvider(env::get);
    }
}
