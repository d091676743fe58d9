package io.arca.azure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.testkit.storage.StorageContractSuite;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract against real Azure Blob Storage, opened as the CLI opens it (provider found
 * by scheme, retry wrapper, credentials from the environment). Runs only when
 * {@value #URL_VARIABLE} names an existing container ({@code azure://container/prefix?options})
 * and credentials are set as {@link AzureStorageProvider} describes. Each test writes under a new
 * prefix below it and deletes what it wrote.
 */
class AzureStorageCloudIT extends StorageContractSuite {

    static final String URL_VARIABLE = "ARCA_TEST_AZURE_URL";

    private static final String RUN = "arca-test-" + UUID.randomUUID();
    private static final AtomicInteger TESTS = new AtomicInteger();

    @BeforeAll
    static void requireAzure() {
        assumeTrue(System.getenv(URL_VARIABLE) != null, "real Azure not configured: set " + URL_VARIABLE
                + "=azure://container/prefix and AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT with "
                + "AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or an Azure identity) to run the contract suite "
                + "against it");
    }

    @Override
    protected Storage createStorage() {
        StorageUrl base = StorageUrl.parse(System.getenv(URL_VARIABLE));
        String path = (base.path().isEmpty() ? "" : base.path() + "/") + RUN + "/" + TESTS.incrementAndGet();
        return Storages.open(new StorageUrl(base.scheme(), base.authority(), path, base.query()));
    }

    @AfterEach
    void deleteWhatTheTestWrote() {
        if (storage != null) {
            for (ObjectInfo object : storage.list("")) {
                storage.delete(object.key());
            }
        }
    }
}
