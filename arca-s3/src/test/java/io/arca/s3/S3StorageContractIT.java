package io.arca.s3;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.testkit.s3.S3Server;
import io.arca.testkit.storage.StorageContractSuite;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The storage contract for the S3 store, against s3proxy over real HTTP with SigV4. */
class S3StorageContractIT extends StorageContractSuite {

    private static final String BUCKET = "contract";
    private static final AtomicInteger STORES = new AtomicInteger();
    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Storage createStorage() {
        // a fresh prefix per test keeps each store empty; part-size 5MiB makes the 20 MiB object 5 parts
        String url = server.url(BUCKET, "repo-" + STORES.incrementAndGet() + "/arca") + "&part-size=5MiB";
        return new S3Storage(StorageUrl.parse(url), S3TestSupport.credentials(server), overrides -> {
        });
    }
}
