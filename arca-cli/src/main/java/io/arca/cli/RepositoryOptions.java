package io.arca.cli;

import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import picocli.CommandLine.Option;

/** {@code --repo}, shared by every command that works on a repository. */
final class RepositoryOptions {
    @Option(names = "--repo", paramLabel = "URL", defaultValue = "${env:ARCA_REPO}",
            description = "Repository: a path, file:/path (env ARCA_REPO).")
    String repo;

    StorageUrl url() {
        if (repo == null || repo.isBlank()) {
            throw new IllegalArgumentException("no repository given: pass --repo URL or set ARCA_REPO");
        }
        return StorageUrl.parse(repo);
    }

    Storage openStorage() {
        return Storages.open(url());
    }

    /** Opens the repository; the caller closes its storage. */
    Repository open(Storage storage) {
        return Repository.open(storage, Clock.systemUTC());
    }
}
