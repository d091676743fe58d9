package io.arca.cli;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.retention.RetentionSettings;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca init}: creates a repository. */
@Command(name = "init", mixinStandardHelpOptions = true, description = {"Create a repository (several with --repo repeated).",
        "Retention flags save the repository's policy for 'arca prune'.",
        "An existing repository is never changed: alone it is an error; among several it is reported and left as it is."})
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Option(names = "--compression", paramLabel = "CODEC[:LEVEL]", defaultValue = "zstd:3",
            description = "Default compression of backups: zstd, gzip, lz4 or none, with an optional level (default: ${DEFAULT-VALUE}).")
    String compression;

    @Mixin
    RetentionOptions retention;

    @Override
    public Integer call() {
        CodecSpec.parse(compression);
        Map<String, String> policy = retention.settings();
        RetentionSettings.toPolicy(policy); // refuse bad values before creating anything
        List<StorageUrl> urls = repository.urls();
        List<Map<String, Object>> results = new ArrayList<>();
        for (StorageUrl url : urls) {
            try (Storage storage = Storages.open(url)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("repository", storage.url().toString());
                Repository repo;
                boolean created = true;
                try {
                    repo = Repository.init(storage, new RepositoryConfig.Defaults(compression,
                            policy.isEmpty() ? null : policy), Clock.systemUTC());
                } catch (ArcaException e) {
                    // with several repositories, rerunning after one failed must not stop at those already made
                    if (e.code() != ErrorCode.REPOSITORY_EXISTS || urls.size() == 1) {
                        throw e;
                    }
                    repo = Repository.open(storage, Clock.systemUTC());
                    created = false;
                }
                r.put("repositoryId", repo.config().repositoryId());
                r.put("formatVersion", repo.config().formatVersion());
                r.put("created", created);
                results.add(r);
                if (!output.json()) {
                    root.out.println((created ? "initialized repository " : "left existing repository ")
                            + repo.config().repositoryId() + " at " + storage.url() + (created ? "" : " as it is"));
                    root.out.flush();
                }
            }
        }
        if (output.json()) {
            Text.json(root.out, results.size() == 1 ? results.get(0) : results);
        }
        return 0;
    }
}
