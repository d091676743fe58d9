package io.arca.cli;

import io.arca.app.config.ArcaConfig;
import io.arca.app.event.JobListener;
import io.arca.app.notify.Notifier;
import io.arca.app.notify.PreviousOutcomes;
import io.arca.core.repo.run.RunLog;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The listeners of a command's recorded run: the console's notes ({@link RunNotes#to}) and, when
 * the command runs with an {@code arca.yaml} ({@code --config} or {@code ARCA_CONFIG}) that has
 * {@code notifications}, a {@link Notifier}, so that a CronJob's failed backup is announced as the
 * server's would be. The previous run of the job (a recovery or not) comes from the run records
 * of the subject's repositories in the file. Closing waits (bounded) for notices still being sent.
 */
final class RunListeners implements AutoCloseable {
    private final JobListener listener;
    private final Notifier notifier;
    private final List<Storage> opened = new CopyOnWriteArrayList<>();

    private RunListeners(ArcaCommand root, ArcaConfig config) {
        JobListener notes = RunNotes.to(root.err);
        if (config == null || config.notifications() == null || config.notifications().isEmpty()) {
            this.notifier = null;
            this.listener = notes;
            return;
        }
        this.notifier = Notifier.from(config, System.getenv(), PreviousOutcomes.perSubject(subject -> logs(config,
                subject)), Clock.systemUTC(), line -> {
                    synchronized (root.err) {
                        root.err.println("warning: " + line);
                        root.err.flush();
                    }
                });
        this.listener = notes.and(notifier);
    }

    /** The listeners for the command {@code root} is running. */
    static RunListeners open(ArcaCommand root) {
        return new RunListeners(root, config(root));
    }

    JobListener listener() {
        return listener;
    }

    /** The run records of a subject's repositories in the file (none for a subject it does not name). */
    private List<RunLog> logs(ArcaConfig config, String subject) {
        List<RunLog> logs = new ArrayList<>();
        ArcaConfig.SubjectEntry entry = config.subjects() == null ? null : config.subjects().get(subject);
        if (entry == null || entry.repositories() == null) {
            return logs;
        }
        for (String name : entry.repositories()) {
            ArcaConfig.RepositoryEntry repo = config.repositories().get(name);
            if (repo != null) {
                Storage storage = Storages.open(StorageUrl.parse(repo.url()));
                opened.add(storage);
                logs.add(new RunLog(storage, Clock.systemUTC()));
            }
        }
        return logs;
    }

    /** The file the running command was given with --config, else ARCA_CONFIG's, loaded; null for none. */
    private static ArcaConfig config(ArcaCommand root) {
        Path file = null;
        ParseResult parsed = root.spec.commandLine().getParseResult();
        ParseResult command = parsed == null ? null : parsed.subcommand();
        while (command != null && command.subcommand() != null) {
            command = command.subcommand();
        }
        CommandSpec spec = command == null ? null : command.commandSpec();
        OptionSpec option = spec == null ? null : spec.findOption(ConfigDefaults.CONFIG);
        if (option != null && option.getValue() != null) {
            file = option.getValue();
        } else {
            String env = System.getenv("ARCA_CONFIG");
            if (env != null && !env.isBlank() && option != null) {
                file = Path.of(env);
            }
        }
        return file == null ? null : ConfigDefaults.loader(Map.copyOf(System.getenv())).load(file);
    }

    @Override
    public void close() {
        try {
            if (notifier != null) {
                notifier.close();
            }
        } finally {
            opened.forEach(Storage::close);
        }
    }
}
