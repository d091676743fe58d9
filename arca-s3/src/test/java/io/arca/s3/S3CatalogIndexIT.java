package io.arca.s3;

import io.arca.core.storage.Storage;
import io.arca.testkit.catalog.CatalogIndexSuite;
import io.arca.testkit.s3.S3Server;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The catalog index on the S3 store, against s3proxy over real HTTP. */
class S3CatalogIndexIT extends CatalogIndexSuite {

    private static final String BUCKET = "catalog";
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
        return S3TestSupport.open(server, BUCKET, "repo-" + STORES.incrementAndGet(), "");
    }
}
