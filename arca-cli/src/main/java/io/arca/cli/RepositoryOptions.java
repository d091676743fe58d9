package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --repo}, shared by every command that works on a repository. {@code init}, {@code backup}
 * and {@code verify} take it repeatedly; the others take exactly one.
 */
final class RepositoryOptions {
    @Option(names = "--repo", paramLabel = "URL", defaultValue = "${env:ARCA_REPO}",
            description = {"Repository: a path, file:/path, s3://bucket/prefix, gs://bucket/prefix or"
                    + " azure://container/prefix (env ARCA_REPO). init, backup and verify take it more than once."})
    List<String> repos = new ArrayList<>();

    /** Every repository given, in order; at least one. */
    List<StorageUrl> urls() {
        List<StorageUrl> urls = new ArrayList<>();
        for (String repo : repos) {
            if (repo != null && !repo.isBlank()) {
                urls.add(StorageUrl.parse(repo));
            }
        }
        if (urls.isEmpty()) {
            throw new UsageException("no repository given: pass --repo URL or set ARCA_REPO");
        }
        return urls;
    }

    /** The one repository of a command that works on a single one. */
    StorageUrl url() {
        List<StorageUrl> urls = urls();
        if (urls.size() > 1) {
            throw new UsageException("this command works on one repository; --repo was given " + urls.size()
                    + " times");
        }
        return urls.get(0);
    }

    Storage openStorage() {
        return Storages.open(url());
    }

    /** Opens the repository; the caller closes its storage. */
    Repository open(Storage storage) {
        return Repository.open(storage, Clock.systemUTC());
    }
}
