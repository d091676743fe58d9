package io.arca.app.status;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A repository's status at one instant.
 *
 * @param now the instant ages are measured from
 * @param repository the repository's URL
 * @param subjects one status per subject, by name
 * @param problems problems of the repository as a whole: a failed last run over every backup
 *     ({@code arca verify --all} without a subject)
 */
public record StatusReport(Instant now, String repository, List<SubjectStatus> subjects, List<String> problems) {
    public StatusReport {
        subjects = List.copyOf(subjects);
        problems = List.copyOf(problems);
    }

    /** True when every subject is ok and the repository has no problem. */
    @JsonProperty("ok")
    public boolean ok() {
        return problems.isEmpty() && subjects.stream().allMatch(SubjectStatus::ok);
    }

    /** The subjects with a problem, by name. */
    public List<SubjectStatus> missed() {
        return subjects.stream().filter(s -> !s.ok()).toList();
    }

    /** The status of one subject, or null. */
    public SubjectStatus subject(String name) {
        return subjects.stream().filter(s -> s.subject().equals(name)).findFirst().orElse(null);
    }
}
