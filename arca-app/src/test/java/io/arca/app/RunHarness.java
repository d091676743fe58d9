package io.arca.app;

import io.arca.app.event.JobEvent;
import io.arca.app.job.RunContext;
import io.arca.app.job.RunRecorder;
import io.arca.app.job.RunResult;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.lease.Leases;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Runs services as recorded runs and reads what they left in local repositories (test setup, no assertions). */
public final class RunHarness {
    public static final String HOST = "test-host";

    private final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private final RunRecorder recorder = new RunRecorder(Clock.systemUTC(), HOST, events::add);

    /** Runs {@code work} as a run of {@code job} for {@code subject}, started from the command line. */
    public <T extends RunResult> T run(RunRecord.Job job, String subject, Function<RunContext, T> work) {
        return run(job, subject, RunRecord.Trigger.CLI, work);
    }

    public <T extends RunResult> T run(RunRecord.Job job, String subject, RunRecord.Trigger trigger,
            Function<RunContext, T> work) {
        return recorder.run(null, job, subject, trigger, List.of(), work);
    }

    /** Every event so far. */
    public List<JobEvent> events() {
        return List.copyOf(events);
    }

    /** The events of one type so far. */
    public <T extends JobEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** A new local repository in {@code dir}. */
    public static Path init(Path dir) {
        Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        return dir;
    }

    /** The repository in {@code dir}. */
    public static Repository open(Path dir) {
        return Repository.open(new LocalFileStorage(dir), Clock.systemUTC());
    }

    /** Every run record in the repository in {@code dir}, newest first. */
    public static List<RunRecord> records(Path dir) {
        return open(dir).runs().list(Instant.EPOCH);
    }

    /** Whether nothing holds a lease in the repository in {@code dir} (an exclusive one can be taken at once). */
    public static boolean leaseFree(Path dir) {
        try (var lease = new Leases(new LocalFileStorage(dir), Clock.systemUTC(), Duration.ofMinutes(1))
                .acquire(LeaseMode.EXCLUSIVE, "test")) {
            return lease != null;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
