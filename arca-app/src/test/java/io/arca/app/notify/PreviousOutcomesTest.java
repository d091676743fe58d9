package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run before a run, from a repository's run records on local disk: both when it is looked up
 * before the run's own record is written (the usual case) and after (a quick run outruns the lookup).
 */
class PreviousOutcomesTest {
    @TempDir
    Path dir;

    private RunLog log(String name) {
        return new RunLog(new LocalFileStorage(dir.resolve(name)),
                Clock.fixed(Runs.T0.plusSeconds(3600), ZoneOffset.UTC));
    }

    @Test
    void nothingBeforeTheFirstRun() {
        RunLog log = log("repo");
        RunRecord first = Runs.failed("app", 0);
        assertThat(before(PreviousOutcomes.of(log), first)).isEmpty();
        log.write(first);
        assertThat(before(PreviousOutcomes.of(log), first)).isEmpty();
    }

    @Test
    void lookedUpBeforeTheRunIsRecorded() {
        RunLog log = log("repo");
        log.write(Runs.failed("app", 0));
        log.write(Runs.succeeded("app", 10));
        log.write(Runs.failed("other", 15));
        assertThat(before(PreviousOutcomes.of(log), Runs.succeeded("app", 20)))
                .hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(Runs.succeeded("app", 10).runId()));
    }

    @Test
    void aSuccessRecordedBeforeTheLookupStillSeesTheSuccessBeforeIt() {
        // the summary now says: last = this run, last success = this run, last failure = an old one;
        // the run before is a success that only the records still show
        RunLog log = log("repo");
        log.write(Runs.failed("app", 0));
        log.write(Runs.succeeded("app", 10));
        RunRecord now = Runs.succeeded("app", 20);
        log.write(now);
        assertThat(before(PreviousOutcomes.of(log), now))
                .hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(Runs.succeeded("app", 10).runId()));
    }

    @Test
    void aSuccessRecordedBeforeTheLookupAfterAFailure() {
        RunLog log = log("repo");
        log.write(Runs.succeeded("app", 0));
        log.write(Runs.failed("app", 10));
        RunRecord now = Runs.succeeded("app", 20);
        log.write(now);
        assertThat(before(PreviousOutcomes.of(log), now))
                .hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(Runs.failed("app", 10).runId()));
    }

    @Test
    void aFailureRecordedBeforeTheLookup() {
        RunLog log = log("repo");
        log.write(Runs.succeeded("app", 0));
        log.write(Runs.failed("app", 10));
        RunRecord now = Runs.failed("app", 20);
        log.write(now);
        assertThat(before(PreviousOutcomes.of(log), now))
                .hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(Runs.failed("app", 10).runId()));
    }

    @Test
    void theNewestAnswerOfSeveralRepositories() {
        RunLog primary = log("primary");
        RunLog copy = log("copy");
        primary.write(Runs.succeeded("app", 0));
        copy.write(Runs.failed("app", 10)); // the primary was unreachable then
        assertThat(before(PreviousOutcomes.of(() -> List.of(primary, copy)), Runs.succeeded("app", 20)))
                .hasValueSatisfying(r -> assertThat(r.outcome()).isEqualTo("failed"));
    }

    private static Optional<RunRecord> before(PreviousOutcomes outcomes, RunRecord run) {
        return outcomes.before(run.job(), run.subject(), run.runId(), run.startedAt());
    }
}
