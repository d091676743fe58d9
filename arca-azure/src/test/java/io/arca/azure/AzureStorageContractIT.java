package io.arca.azure;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.testkit.azure.AzuriteServer;
import io.arca.testkit.storage.StorageContractSuite;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract against Azurite, opened by URL with the credentials in the environment,
 * as the CLI opens it. One server and container per class, a fresh prefix per test.
 */
class AzureStorageContractIT extends StorageContractSuite {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static AzuriteServer server;
    private static String container;

    @BeforeAll
    static void startAzurite() {
        server = AzuriteServer.start();
        container = server.createContainer();
    }

    @AfterAll
    static void stopAzurite() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Storage createStorage() {
        String url = server.repositoryUrl(container, "repo/test-" + TESTS.incrementAndGet());
        return new AzureStorageProvider(server.environment()::get).open(StorageUrl.parse(url));
    }
}
