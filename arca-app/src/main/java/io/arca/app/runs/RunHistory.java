package io.arca.app.runs;

import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import java.util.List;
import java.util.Optional;

/** The job history of a repository, for {@code arca runs} and the API's {@code /runs}. */
public final class RunHistory {

    /** The records that pass {@code filter}, newest first. */
    public List<RunRecord> list(Repository repo, RunFilter filter) {
        return repo.runs().list(filter.since()).stream().filter(filter::accepts).toList();
    }

    /** One run's record, if it exists and can be read. */
    public Optional<RunRecord> find(Repository repo, String runId) {
        return repo.runs().find(runId);
    }
}
