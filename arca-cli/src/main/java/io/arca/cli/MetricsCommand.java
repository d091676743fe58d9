package io.arca.cli;

import io.arca.app.config.ConfigLoader;
import io.arca.app.metrics.MetricsModel;
import io.arca.app.metrics.MetricsTarget;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.storage.StorageUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code arca metrics}: the Prometheus metrics of repositories, once (CronJob mode). */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Compute the Prometheus metrics of repositories from what is in them (backups, drills, the WAL"
                + " archive, run records) and print them in the Prometheus text format; 'arca server' serves the same"
                + " metrics at /metrics. See docs/metrics.md for every metric.",
                "With --textfile, write them to FILE atomically instead (a temporary file renamed over it), for"
                        + " node-exporter's textfile collector: a CronJob or timer runs 'arca metrics --config"
                        + " arca.yaml --textfile /var/lib/node_exporter/textfile/arca.prom'.",
                "A repository that cannot be read gets arca_metrics_scrape_error 1 and the metrics are still written;"
                        + " the command then exits with that failure's code (3, partial, when other repositories"
                        + " were read). Reads only the repositories: needs no key and no PostgreSQL."})
final class MetricsCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Spec
    CommandSpec spec;
    @Mixin
    RepositoryOptions repository;

    @Option(names = "--config", paramLabel = "FILE",
            description = "arca.yaml: the metrics of all its repositories, labelled with their names, with its"
                    + " subjects' objectives (instead of --repo; env ARCA_CONFIG, used when neither --repo nor"
                    + " ARCA_REPO is given).")
    Path config;

    @Option(names = "--textfile", paramLabel = "FILE",
            description = "Write the metrics to FILE (atomically: a temporary file beside it, renamed over it) instead"
                    + " of standard output. Name it *.prom for node-exporter's textfile collector.")
    Path textfile;

    @Override
    public Integer call() {
        List<MetricsTarget> targets = targets();
        try (MetricsModel model = MetricsModel.of(targets, Duration.ZERO, Clock.systemUTC())) {
            String text = model.scrape();
            if (textfile != null) {
                write(textfile, text);
            } else {
                root.out.print(text);
                root.out.flush();
            }
            List<MetricsModel.Failure> failures = model.failures();
            if (!failures.isEmpty()) {
                throw unread(failures, targets.size());
            }
        }
        return 0;
    }

    /**
     * The repositories of --config, else of --repo, else of ARCA_REPO, else of ARCA_CONFIG's file:
     * flags before the environment, and --config and --repo not together.
     */
    private List<MetricsTarget> targets() {
        Map<String, String> env = System.getenv();
        boolean repoFlag = spec.commandLine().getParseResult().hasMatchedOption("--repo");
        if (config != null && repoFlag) {
            throw new UsageException("give --repo or --config, not both",
                    "--config reports every repository of arca.yaml; --repo reports the ones it names", null);
        }
        String configEnv = env.get(ConfigLoader.CONFIG_ENV);
        if (config != null || !repoFlag && repository.repos.stream().allMatch(r -> r == null || r.isBlank())
                && configEnv != null && !configEnv.isBlank()) {
            Path file = ConfigLoader.file(config, env);
            return MetricsTarget.of(ConfigDefaults.loader(env).load(file));
        }
        List<MetricsTarget> targets = new ArrayList<>();
        for (StorageUrl url : urls()) {
            targets.add(MetricsTarget.of(url));
        }
        return targets;
    }

    private List<StorageUrl> urls() {
        try {
            return repository.urls();
        } catch (UsageException e) {
            throw new UsageException("no repository given: pass --repo URL (or set ARCA_REPO), or --config FILE"
                    + " (or set ARCA_CONFIG)", "see 'arca metrics --help'", e);
        }
    }

    /**
     * Writes {@code text} to {@code file} atomically: readers (node-exporter) see the old file or the
     * new one, never a part. The file is readable by all, like the textfile collector's other files.
     */
    private static void write(Path file, String text) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = null;
        try {
            // not *.prom: the collector ignores it while it is written
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream out = Files.newOutputStream(temp)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions keeps its defaults
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "cannot write metrics to '" + file + "': " + e.getMessage(),
                    "check that the directory exists and is writable", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; a stray temporary file is ignored by the collector
                }
            }
        }
    }

    /** The repositories that could not be read: the first one's code, or partial when others were read. */
    private static ArcaException unread(List<MetricsModel.Failure> failures, int repositories) {
        String which = failures.stream().map(f -> "'" + f.repository() + "': " + f.message())
                .collect(Collectors.joining("; "));
        boolean some = failures.size() < repositories;
        return new ArcaException(some ? ErrorCode.PARTIAL : failures.get(0).code(),
                "cannot read " + failures.size() + " of " + repositories + " repositories: " + which,
                "the metrics were written with arca_metrics_scrape_error 1 for "
                        + (failures.size() == 1 ? "it" : "them") + "; check each with 'arca list --repo URL'");
    }
}
