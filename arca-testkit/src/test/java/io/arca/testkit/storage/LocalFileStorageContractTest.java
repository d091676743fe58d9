package io.arca.testkit.storage;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract for the local filesystem store, opened by URL as the CLI opens it. */
class LocalFileStorageContractTest extends StorageContractSuite {

    @TempDir
    Path dir;

    @Override
    protected Storage createStorage() {
        // a root that does not exist yet, as before "arca init"
        return Storages.open(StorageUrl.parse(dir.resolve("repo").toString()));
    }
}
