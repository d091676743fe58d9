package io.arca.app.drill;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.FailedRun;
import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.app.verify.SubjectRepositories;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupSource;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.UserCheck;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scheduled or triggered drill of a configured subject: its newest backup in its primary
 * repository (where the evidence is kept), restored where its {@code drill} entry says (a scratch
 * server, else a throwaway cluster), with its checks, measured against its RTO. A drill that fails
 * is a failed run ({@code ARCA-1600}) whose record names the evidence.
 */
public final class DrillJob implements SubjectJob {
    /** What a check in arca.yaml must return: PostgreSQL's text for {@code true}. */
    static final String TRUE = "t";

    private final Clock clock;

    public DrillJob() {
        this(Clock.systemUTC());
    }

    public DrillJob(Clock clock) {
        this.clock = clock;
    }

    @Override
    public RunResult run(Subject subject, RunContext context) {
        // the repository stays open until the run's record is written to it
        SubjectRepositories repos = SubjectRepositories.open(subject, clock);
        context.closeAtEnd(repos);
        Repository primary = repos.repositories().get(0);
        context.recordIn(primary);
        DrillResult result = new DrillService(BackupSources.load(), PgBinaries.discover(List.of()), Progress.NONE)
                .drill(primary, request(subject));
        ArcaException failure = result.failure();
        if (failure != null) {
            throw new FailedRun(failure, result);
        }
        return result;
    }

    /** The drill of {@code subject} as its {@code drill} entry and objectives say. */
    static DrillRequest request(Subject subject) {
        ArcaConfig.Drill drill = subject.entry().drill();
        ConnectionSettings scratch = drill == null || drill.server() == null ? null
                : ConnectionSettings.parse(drill.server(), subject.environment());
        List<UserCheck> checks = new ArrayList<>();
        if (drill != null && drill.checks() != null) {
            drill.checks().forEach(sql -> checks.add(new UserCheck(sql, TRUE)));
        }
        return new DrillRequest(null, subject.name(), scratch, 2, checks, null, subject.entry().objectives(),
                source -> options(source, subject));
    }

    /** A source's drill options from the subject's {@code sources} entry (names without dashes). */
    static SourceOptions options(BackupSource source, Subject subject) {
        Map<String, Object> given = subject.entry().sources() == null ? Map.of() : subject.entry().sources();
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (SourceOption o : source.drillOptions()) {
            Object v = given.get(o.name().substring(2));
            if (v instanceof List<?> list) {
                values.put(o.name(), list.stream().map(String::valueOf).toList());
            } else if (Boolean.TRUE.equals(v) && o.isFlag()) {
                values.put(o.name(), List.of());
            } else if (v != null && !(v instanceof Boolean)) {
                values.put(o.name(), List.of(String.valueOf(v)));
            }
        }
        return new SourceOptions(values, subject.environment());
    }
}
