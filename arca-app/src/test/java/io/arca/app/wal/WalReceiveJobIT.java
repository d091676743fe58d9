package io.arca.app.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.app.RunHarness;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJobs;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL streaming job of a configured subject, as the server runs it: it streams until the
 * thread running it is interrupted, then archives the unfinished segment, returns, and its record
 * says how far the archive reaches and how it ended.
 */
class WalReceiveJobIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    @AfterEach
    void dropSlot() {
        PG.cluster().execute("postgres", "select pg_drop_replication_slot(slot_name) from pg_replication_slots"
                + " where slot_name = '" + WalReceiveJob.SLOT + "'");
    }

    @Test
    void streamsUntilInterruptedThenArchivesThePartialAndRecordsHowItEnded() throws Exception {
        Path repo = RunHarness.init(dir.resolve("repo"));
        ArcaConfig config = new ArcaConfig(
                Map.of("main", new ArcaConfig.RepositoryEntry(repo.toString(), null, null, null, null, null)),
                Map.of("db", new ArcaConfig.SubjectEntry(List.of("main"), PG.url("postgres"), "DB_PASSWORD", null,
                        null, null, null, null, null)),
                List.of(), null, null);
        Subject subject = new Subject("db", config.subjects().get("db"), config,
                Map.of("DB_PASSWORD", PG.cluster().password()));
        RunHarness runs = new RunHarness();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread streaming = new Thread(() -> {
            try {
                outcome.set(runs.run(RunRecord.Job.WAL_RECEIVE, "db", RunRecord.Trigger.SCHEDULE,
                        ctx -> SubjectJobs.of(RunRecord.Job.WAL_RECEIVE).run(subject, ctx)));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "test-wal-receive");
        streaming.start();

        // new WAL until a complete segment is in the archive (bounded)
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        PG.cluster().execute("postgres", "create table if not exists w (v text)");
        while (archived(repo, WalFileName.Kind.SEGMENT).isEmpty()) {
            assertThat(System.nanoTime()).as("a segment archived within 60 s: " + outcome.get()).isLessThan(deadline);
            assertThat(streaming.isAlive()).as("still streaming: " + outcome.get()).isTrue();
            PG.cluster().execute("postgres", "insert into w select repeat('x', 100) from generate_series(1, 200)",
                    "select pg_switch_wal()");
            TimeUnit.MILLISECONDS.sleep(200);
        }
        // WAL in the unfinished segment, received before the interrupt: it must end up in the partial
        PG.cluster().execute("postgres", "insert into w select repeat('y', 100) from generate_series(1, 200)");
        String inserted = query("select pg_current_wal_insert_lsn()::text");
        while (!query("select coalesce((select write_lsn >= '" + inserted + "'::pg_lsn from pg_stat_replication"
                + " where application_name = 'arca'), false)::text").equals("true")) {
            assertThat(System.nanoTime()).as("received up to " + inserted + " within 60 s").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
        streaming.interrupt();
        streaming.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(streaming.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOfSatisfying(WalReceiveResult.class, r -> {
            assertThat(r.ended()).isEqualTo("interrupted");
            assertThat(r.files()).isPositive();
        });
        WalReceiveResult result = (WalReceiveResult) outcome.get();
        assertThat(archived(repo, WalFileName.Kind.PARTIAL)).isNotEmpty();
        assertThat(RunHarness.records(repo)).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("wal-receive");
            assertThat(r.subject()).isEqualTo("db");
            assertThat(r.trigger()).isEqualTo("schedule");
            assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
            assertThat(r.details()).containsEntry("ended", "interrupted").containsEntry("reached", result.reached())
                    .containsEntry("systemIdentifier", result.systemIdentifier());
        });
    }

    private static List<WalFileName> archived(Path repo, WalFileName.Kind kind) {
        Repository r = RunHarness.open(repo);
        WalArchive archive = new WalArchive(r, r.defaultCodec());
        long system = systemId();
        return archive.list(system).stream().map(WalArchive.Archived::name).filter(n -> n.kind() == kind).toList();
    }

    private static String query(String sql) {
        try (var c = PG.connect("postgres"); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long systemId() {
        try (var c = PG.connect("postgres"); var st = c.createStatement();
                var rs = st.executeQuery("select system_identifier from pg_control_system()")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
