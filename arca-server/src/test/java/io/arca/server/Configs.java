package io.arca.server;

import io.arca.app.config.ArcaConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configurations for tests: subjects with schedules and a server section. */
final class Configs {
    private Configs() {
    }

    static ArcaConfig.Schedules schedules(String timezone, String backup) {
        return new ArcaConfig.Schedules(timezone, backup, null, null, null, null, null);
    }

    static ArcaConfig.SubjectEntry subject(ArcaConfig.Schedules schedules) {
        return new ArcaConfig.SubjectEntry(List.of("main"), "postgresql://127.0.0.1:1/app", null, null, null,
                schedules, null, null, null);
    }

    static ArcaConfig.Server server(int concurrency, String jitter, String missedRuns) {
        return new ArcaConfig.Server(null, null, null, concurrency, jitter, missedRuns, null, null, null);
    }

    /** {@code names} as subjects with {@code schedules}, one repository {@code main} at {@code repoUrl}. */
    static ArcaConfig config(String repoUrl, ArcaConfig.Server server, ArcaConfig.Schedules schedules,
            String... names) {
        Map<String, ArcaConfig.SubjectEntry> subjects = new LinkedHashMap<>();
        for (String n : names) {
            subjects.put(n, subject(schedules));
        }
        return new ArcaConfig(Map.of("main", new ArcaConfig.RepositoryEntry(repoUrl, null, null, null, null, null)),
                subjects, List.of(), server, null);
    }
}
