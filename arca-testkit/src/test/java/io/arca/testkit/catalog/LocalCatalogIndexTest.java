package io.arca.testkit.catalog;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The catalog index on the local filesystem store. */
class LocalCatalogIndexTest extends CatalogIndexSuite {

    @TempDir
    Path dir;

    @Override
    protected Storage createStorage() {
        return Storages.open(StorageUrl.parse(dir.resolve("repo").toString()));
    }
}
