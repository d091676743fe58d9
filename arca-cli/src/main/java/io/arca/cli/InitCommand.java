package io.arca.cli;

import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.Storage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca init}: creates a repository. */
@Command(name = "init", description = "Create a repository.", mixinStandardHelpOptions = true)
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

    @Override
    public Integer call() {
        CodecSpec.parse(compression);
        try (Storage storage = repository.openStorage()) {
            Repository repo = Repository.init(storage, new RepositoryConfig.Defaults(compression), Clock.systemUTC());
            if (output.json()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("repository", storage.url().toString());
                r.put("repositoryId", repo.config().repositoryId());
                r.put("formatVersion", repo.config().formatVersion());
                Text.json(root.out, r);
            } else {
                root.out.println("initialized repository " + repo.config().repositoryId() + " at " + storage.url());
            }
        }
        return 0;
    }
}
