package io.arca.app.config;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a valid configuration sets up, for {@code arca config check}: its repositories, subjects,
 * scheduled jobs with their next runs, notifications and the server's address.
 *
 * @param file the file as given
 * @param repositories name and URL of each repository
 * @param subjects each subject
 * @param schedules each scheduled job with its next runs
 * @param notifications how many channels of each type
 * @param listen the server's listen address
 * @param concurrency how many jobs the server runs at once
 */
public record ConfigSummary(String file, List<Repository> repositories, List<SubjectSummary> subjects,
        List<Scheduled> schedules, Map<String, Integer> notifications, String listen, int concurrency) {

    /** How many jobs the server runs at once when {@code server.concurrency} is not set. */
    public static final int DEFAULT_CONCURRENCY = 2;

    /** How many runs ahead {@link #of} lists. */
    public static final int NEXT_RUNS = 2;

    /** A repository. */
    public record Repository(String name, String url) {
    }

    /**
     * A subject.
     *
     * @param database its database URL, or null
     * @param sources the further sources' option names
     * @param walReceive whether WAL streaming runs continuously
     */
    public record SubjectSummary(String name, String database, List<String> repositories, List<String> sources,
            boolean walReceive) {
    }

    /**
     * A scheduled job.
     *
     * @param job the job's name as run records write it ({@code physical-backup})
     * @param timezone the zone the cron fields are read in
     * @param next the next runs, in that zone
     */
    public record Scheduled(String subject, String job, String cron, String timezone, List<OffsetDateTime> next) {
    }

    /** The summary of {@code config} (loaded by {@link ConfigLoader}) as of {@code now}. */
    public static ConfigSummary of(String file, ArcaConfig config, Instant now) {
        List<Repository> repositories = new ArrayList<>();
        config.repositories().forEach((name, r) -> repositories.add(new Repository(name, r.url())));
        List<SubjectSummary> subjects = new ArrayList<>();
        config.subjects().forEach((name, s) -> subjects.add(new SubjectSummary(name, s.database(), s.repositories(),
                s.sources() == null ? List.of() : List.copyOf(s.sources().keySet()),
                s.schedules() != null && Boolean.TRUE.equals(s.schedules().walReceive()))));
        List<Scheduled> schedules = new ArrayList<>();
        for (JobSchedule j : JobSchedule.of(config)) {
            List<OffsetDateTime> next = new ArrayList<>();
            for (ZonedDateTime t : j.schedule().next(now, NEXT_RUNS)) {
                next.add(t.toOffsetDateTime());
            }
            schedules.add(new Scheduled(j.subject(), j.job().jobName(), j.schedule().expression(),
                    j.schedule().zone().getId(), next));
        }
        Map<String, Integer> notifications = new TreeMap<>();
        if (config.notifications() != null) {
            config.notifications().forEach(n -> notifications.merge(n.type(), 1, Integer::sum));
        }
        ArcaConfig.Server server = config.server();
        String listen = server != null && server.listen() != null ? ListenAddress.parse(server.listen()).toString()
                : ListenAddress.DEFAULT.toString();
        int concurrency = server != null && server.concurrency() != null ? server.concurrency() : DEFAULT_CONCURRENCY;
        return new ConfigSummary(file, repositories, subjects, schedules, notifications, listen, concurrency);
    }
}
