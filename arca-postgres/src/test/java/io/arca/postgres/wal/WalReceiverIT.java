package io.arca.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * WalReceiver against real PostgreSQL 15 servers: segments arrive in the archive byte for byte as
 * the server has them in pg_wal, the unfinished one as partial; the slot keeps what is not
 * archived; stop() from another thread; a terminated walsender costs nothing; a promoted standby's
 * new timeline is followed, and ancestor timelines are streamed with TIMELINE.
 */
class WalReceiverIT {
    private static final long SEG = 16L << 20;

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension(ClusterOptions.defaults()
            .withMajor(PostgresExtension.DEFAULT_MAJOR).withFastAndUnsafe(true)
            // segments stay in pg_wal for the byte-for-byte comparisons, whatever checkpoints run meanwhile
            .withSetting("wal_keep_size", "1GB"));

    @TempDir
    Path dir;
    private WalArchive archive;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        Repository repo = Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:1"),
                Clock.systemUTC());
        archive = new WalArchive(repo, CodecSpec.parse("zstd:1"));
    }

    private WalReceiverOptions options() {
        return WalReceiverOptions.defaults().withSpoolDirectory(dir.resolve("spool"))
                .withStatusInterval(Duration.ofSeconds(1)).withMaxReconnectDelay(Duration.ofSeconds(2))
                .withLog(line -> {
                    log.add(line);
                    System.out.println("wal-receiver: " + line);
                });
    }

    @Test
    void runUntilArchivesEverySegmentByteForByteTheLastAsPartialAndTheSlotFollowsTheArchive() throws Exception {
        LocalCluster pg = PG.cluster();
        pg.execute("postgres", "create table streamed (id int, payload text)");
        Lsn start = lsn(pg, "select pg_current_wal_lsn()");
        try (WalReceiver receiver = WalReceiver.open(pg.connectionSettings("postgres"), archive,
                options().withSlot("it_until"))) {
            assertThat(receiver.systemId()).isEqualTo(systemId(pg.dataDirectory()));
            assertThat(receiver.timeline()).isEqualTo(new TimelineId(1));
            assertThat(receiver.segmentSize()).isEqualTo(SEG);
            // created with RESERVE_WAL: the server keeps WAL from now on
            assertThat(slotRestartLsn(pg, "it_until")).isNotNull();
            for (int i = 0; i < 3; i++) {
                pg.execute("postgres", "insert into streamed select g, repeat('x', 100) from generate_series(1, 2000) g",
                        "select pg_switch_wal()");
            }
            // some 20 MB of WAL without a switch: messages cross segment boundaries
            pg.execute("postgres", "insert into streamed select g, md5(g::text) || repeat('y', 80) from generate_series(1, 150000) g");
            Lsn until = lsn(pg, "select pg_current_wal_lsn()");
            assertThat(until.segment(SEG) - start.segment(SEG)).isGreaterThanOrEqualTo(4);
            assertThat(until.value() % SEG).isNotZero();

            Lsn reached = receiver.run(start, until);

            assertThat(reached).isGreaterThanOrEqualTo(until);
            assertArchived(pg, receiver.systemId(), new TimelineId(1), start.segment(SEG), until);
            // the slot holds what is not archived complete: the partial segment is streamed again
            assertThat(slotRestartLsn(pg, "it_until")).isEqualTo(new Lsn(until.segment(SEG) * SEG));
            // and a run without a start continues after the newest complete segment
            assertThat(receiver.defaultStart()).isEqualTo(new Lsn(until.segment(SEG) * SEG));
            assertThat(Files.list(dir.resolve("spool"))).as("spool emptied").isEmpty();
        } finally {
            pg.execute("postgres", "select pg_drop_replication_slot('it_until')");
        }
    }

    @Test
    void stopFromAnotherThreadArchivesThePartialAndATemporarySlotEndsWithTheReceiver() throws Exception {
        LocalCluster pg = PG.cluster();
        pg.execute("postgres", "create table stopped (id int)", "select pg_switch_wal()");
        WalReceiver receiver = WalReceiver.open(pg.connectionSettings("postgres"), archive,
                options().withTemporarySlot("it_temporary"));
        try {
            assertThat(slotRestartLsn(pg, "it_temporary")).isNotNull();
            // no start: nothing archived, so the slot's restart_lsn (reserved at creation) is where it begins
            Lsn start = receiver.defaultStart();
            assertThat(start.value() % SEG).isZero();
            CompletableFuture<Lsn> run = CompletableFuture.supplyAsync(() -> receiver.run(null, null));
            pg.execute("postgres", "insert into stopped select generate_series(1, 5000)");
            Lsn committed = lsn(pg, "select pg_current_wal_insert_lsn()");
            awaitTrue("the receiver got " + committed, () -> {
                Lsn written = lsn(pg, "select write_lsn from pg_stat_replication where application_name = 'arca'");
                return written != null && written.compareTo(committed) >= 0;
            });
            assertThat(run).isNotDone();
            receiver.stop();
            Lsn reached = run.get(60, TimeUnit.SECONDS);

            assertThat(reached).isGreaterThanOrEqualTo(committed);
            assertArchived(pg, receiver.systemId(), new TimelineId(1), start.segment(SEG), committed);
        } finally {
            receiver.close();
        }
        awaitTrue("the temporary slot is dropped", () -> slotRestartLsn(pg, "it_temporary") == null);
    }

    @Test
    void aTerminatedWalsenderIsReconnectedAndStreamingGoesOnWithoutAGap() throws Exception {
        LocalCluster pg = PG.cluster();
        pg.execute("postgres", "create table reconnected (id int, payload text)");
        Lsn start = lsn(pg, "select pg_current_wal_lsn()");
        WalReceiver receiver = WalReceiver.open(pg.connectionSettings("postgres"), archive, options());
        List<String> pushed = new CopyOnWriteArrayList<>();
        receiver.onPushed((name, result) -> pushed.add(name.name()));
        try {
            CompletableFuture<Lsn> run = CompletableFuture.supplyAsync(() -> receiver.run(start, null));
            pg.execute("postgres", "insert into reconnected select g, repeat('r', 200) from generate_series(1, 40000) g",
                    "select pg_switch_wal()");
            awaitTrue("a segment is archived", () -> !pushed.isEmpty());
            // half way through the next segment, the walsender goes away
            pg.execute("postgres", "insert into reconnected select g, repeat('s', 200) from generate_series(1, 20000) g");
            Lsn before = lsn(pg, "select pg_current_wal_lsn()");
            awaitTrue("the receiver got " + before, () -> {
                Lsn written = lsn(pg, "select write_lsn from pg_stat_replication where application_name = 'arca'");
                return written != null && written.compareTo(before) >= 0;
            });
            int terminated = count(pg, "select count(pg_terminate_backend(pid)) from pg_stat_replication"
                    + " where application_name = 'arca'");
            assertThat(terminated).isEqualTo(1);
            pg.execute("postgres", "insert into reconnected select g, repeat('t', 200) from generate_series(1, 60000) g",
                    "select pg_switch_wal()",
                    "insert into reconnected select g, repeat('u', 200) from generate_series(1, 1000) g");
            Lsn until = lsn(pg, "select pg_current_wal_lsn()");
            receiver.stopAt(until);
            Lsn reached = run.get(120, TimeUnit.SECONDS);

            assertThat(reached).isGreaterThanOrEqualTo(until);
            assertThat(log).anyMatch(l -> l.startsWith("lost the WAL stream from"))
                    .anyMatch(l -> l.startsWith("connected to"));
            assertArchived(pg, receiver.systemId(), new TimelineId(1), start.segment(SEG), until);
        } finally {
            receiver.close();
        }
    }

    @Test
    void followsAPromotedStandbyOntoItsNewTimelineAndStreamsAncestorTimelinesWithTimeline() throws Exception {
        LocalCluster primary = PG.cluster();
        primary.execute("postgres", "create table promoted (id int, payload text)", "select pg_switch_wal()");
        Lsn start = lsn(primary, "select pg_current_wal_lsn()");
        try (Standby standby = Standby.create(primary, dir)) {
            ConnectionSettings settings = new ConnectionSettings(LocalCluster.HOST, standby.port, "postgres", "postgres",
                    primary.password(), Map.of());
            WalReceiver receiver = WalReceiver.open(settings, archive, options());
            List<String> pushed = new CopyOnWriteArrayList<>();
            receiver.onPushed((name, result) -> pushed.add(name.name()));
            Lsn switchPoint;
            Lsn until;
            try {
                CompletableFuture<Lsn> run = CompletableFuture.supplyAsync(() -> receiver.run(start, null));
                for (int i = 0; i < 2; i++) {
                    primary.execute("postgres", "insert into promoted select g, repeat('p', 100) from generate_series(1, 3000) g",
                            "select pg_switch_wal()");
                }
                primary.execute("postgres", "insert into promoted select g, repeat('q', 100) from generate_series(1, 3000) g");
                // the insert position: the write position may still be at the segment start (asynchronous commit),
                // and a promotion there would end timeline 1 exactly at a segment boundary, with nothing for a partial
                Lsn last = lsn(primary, "select pg_current_wal_insert_lsn()");
                awaitTrue("the standby replayed " + last, () -> lsn(standby, "select pg_last_wal_replay_lsn()").compareTo(last) >= 0);
                awaitTrue("two segments archived", () -> pushed.size() >= 2);
                // the receiver must hold timeline 1's WAL up to the promotion, else it gets that part of the
                // switch segment only on timeline 2 (a valid archive, but without timeline 1's partial)
                awaitTrue("the receiver received " + last, () -> {
                    Lsn written = lsn(standby, "select max(write_lsn) from pg_stat_replication");
                    return written != null && written.compareTo(last) >= 0;
                });
                standby.promote();
                standby.execute("insert into promoted select g, repeat('n', 100) from generate_series(1, 3000) g",
                        "select pg_switch_wal()",
                        "insert into promoted select g, repeat('m', 100) from generate_series(1, 100) g");
                until = lsn(standby, "select pg_current_wal_lsn()");
                receiver.stopAt(until);
                Lsn reached = run.get(180, TimeUnit.SECONDS);
                assertThat(reached).isGreaterThanOrEqualTo(until);
                assertThat(receiver.timeline()).isEqualTo(new TimelineId(2));
            } finally {
                receiver.close();
            }
            byte[] history = Files.readAllBytes(standby.data.resolve("pg_wal/00000002.history"));
            switchPoint = TimelineHistory.parse(new TimelineId(2), history).endOf(new TimelineId(1));
            assertThat(log).anyMatch(l -> l.startsWith("the server ended timeline 1"));
            assertTimelineSwitch(standby.data, receiver.systemId(), start, switchPoint, until, history);

            // a new archive, streamed from the promoted standby: timeline 1 is an ancestor now, which
            // pgjdbc's builder cannot stream (no TIMELINE); the receiver streams it with TIMELINE 1
            Repository repo2 = Repository.init(new LocalFileStorage(dir.resolve("repo2")),
                    new RepositoryConfig.Defaults("zstd:1"), Clock.systemUTC());
            archive = new WalArchive(repo2, CodecSpec.parse("zstd:1"));
            log.clear();
            try (WalReceiver again = WalReceiver.open(settings, archive, options())) {
                assertThat(again.timeline()).isEqualTo(new TimelineId(2));
                Lsn reached = again.run(start, until);
                assertThat(reached).isGreaterThanOrEqualTo(until);
            }
            assertThat(log).anyMatch(l -> l.startsWith("streaming timeline 1 from " + new Lsn(start.segment(SEG) * SEG)
                    + " to its end at " + switchPoint));
            assertTimelineSwitch(standby.data, systemId(standby.data), start, switchPoint, until, history);
        }
    }

    /** Timeline 1 up to the switch, its switch segment as partial, 2's history, timeline 2 from the switch segment. */
    private void assertTimelineSwitch(Path pgdata, long systemId, Lsn start, Lsn switchPoint, Lsn until, byte[] history)
            throws IOException {
        TimelineId one = new TimelineId(1);
        TimelineId two = new TimelineId(2);
        long switchSegment = switchPoint.segment(SEG);
        List<String> names = archive.list(systemId).stream().map(a -> a.name().name()).toList();
        List<String> expected = new ArrayList<>();
        for (long s = start.segment(SEG); s < switchSegment; s++) {
            expected.add(WalFileName.segment(one, s, SEG).name());
        }
        if (switchPoint.value() % SEG != 0) {
            // timeline 1's part of the switch segment (none when it ended exactly at a segment boundary)
            expected.add(WalFileName.segment(one, switchSegment, SEG).name() + ".partial");
        }
        expected.add("00000002.history");
        for (long s = switchSegment; s < until.segment(SEG); s++) {
            expected.add(WalFileName.segment(two, s, SEG).name());
        }
        if (until.value() % SEG != 0) {
            expected.add(WalFileName.segment(two, until.segment(SEG), SEG).name() + ".partial");
        }
        assertThat(names).containsExactlyElementsOf(expected);
        Path h = dir.resolve("fetched.history");
        assertThat(archive.fetch(systemId, WalFileName.parse("00000002.history", SEG), h)).isTrue();
        assertThat(Files.readAllBytes(h)).isEqualTo(history);
        // timeline 2's copy of the switch segment starts with timeline 1's WAL, which the partial holds
        byte[] oldPartial = fetch(systemId, partialName(one, switchSegment));
        byte[] newSegment = fetch(systemId, WalFileName.segment(two, switchSegment, SEG));
        int upToSwitch = (int) (switchPoint.value() - switchSegment * SEG);
        assertThat(Arrays.copyOf(oldPartial, upToSwitch)).isEqualTo(Arrays.copyOf(newSegment, upToSwitch));
        assertThat(newSegment).isEqualTo(Files.readAllBytes(pgdata.resolve("pg_wal")
                .resolve(WalFileName.segment(two, switchSegment, SEG).name())));
    }

    /**
     * The archive holds segments {@code first} up to the one holding {@code until} of {@code tli},
     * each as the server has it in pg_wal (read as root), the last as a zero-padded partial whose
     * WAL before {@code until} is the server's.
     */
    private void assertArchived(LocalCluster pg, long systemId, TimelineId tli, long first, Lsn until) throws IOException {
        List<String> names = archive.list(systemId).stream().map(a -> a.name().name()).toList();
        List<String> expected = new ArrayList<>();
        for (long s = first; s < until.segment(SEG); s++) {
            expected.add(WalFileName.segment(tli, s, SEG).name());
        }
        if (until.value() % SEG != 0) {
            expected.add(WalFileName.segment(tli, until.segment(SEG), SEG).name() + ".partial");
        }
        assertThat(names).containsExactlyElementsOf(expected);
        Path wal = pg.dataDirectory().resolve("pg_wal");
        for (long s = first; s < until.segment(SEG); s++) {
            WalFileName name = WalFileName.segment(tli, s, SEG);
            assertThat(fetch(systemId, name)).as(name.name()).isEqualTo(Files.readAllBytes(wal.resolve(name.name())));
        }
        if (until.value() % SEG != 0) {
            WalFileName segment = WalFileName.segment(tli, until.segment(SEG), SEG);
            byte[] partial = fetch(systemId, partialName(tli, until.segment(SEG)));
            assertThat(partial).hasSize((int) SEG);
            int valid = (int) (until.value() - until.segment(SEG) * SEG);
            byte[] server = Files.readAllBytes(wal.resolve(segment.name()));
            assertThat(Arrays.copyOf(partial, valid)).as(segment.name() + ".partial up to " + until)
                    .isEqualTo(Arrays.copyOf(server, valid));
        }
    }

    private static WalFileName partialName(TimelineId tli, long segment) {
        return WalFileName.parse(WalFileName.segment(tli, segment, SEG).name() + ".partial", SEG);
    }

    private byte[] fetch(long systemId, WalFileName name) throws IOException {
        Path out = dir.resolve("fetched");
        assertThat(archive.fetch(systemId, name, out)).as("archived: " + name).isTrue();
        return Files.readAllBytes(out);
    }

    private static Lsn lsn(LocalCluster pg, String sql) {
        return lsn(pg.connectionSettings("postgres"), sql);
    }

    private static Lsn lsn(Standby s, String sql) {
        return lsn(s.settings(), sql);
    }

    private static Lsn lsn(ConnectionSettings settings, String sql) {
        try (Connection c = io.arca.postgres.local.PgConnections.open(settings); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select (" + sql + ")::text")) {
            return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : null;
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static Lsn slotRestartLsn(LocalCluster pg, String slot) {
        return lsn(pg, "select restart_lsn from pg_replication_slots where slot_name = '" + slot + "'");
    }

    private static int count(LocalCluster pg, String sql) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static long systemId(Path pgdata) throws IOException {
        byte[] control = Files.readAllBytes(pgdata.resolve("global/pg_control"));
        return java.nio.ByteBuffer.wrap(control, 0, 8).order(java.nio.ByteOrder.nativeOrder()).getLong();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A streaming standby of a LocalCluster, made with pg_basebackup -R and run as the postgres user. */
    private static final class Standby implements AutoCloseable {
        final Path root;
        final Path data;
        final int port;
        final Path bin;
        final String password;

        private Standby(Path root, int port, Path bin, String password) {
            this.root = root;
            this.data = root.resolve("data");
            this.port = port;
            this.bin = bin;
            this.password = password;
        }

        static Standby create(LocalCluster primary, Path testDir) throws Exception {
            // short, and traversable by the postgres user (the socket path must stay short)
            Path root = Files.createTempDirectory(Path.of("/tmp"), "arca-sb-");
            UserPrincipal postgres = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(root, postgres);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LocalCluster.HOST))) {
                port = s.getLocalPort();
            }
            Standby standby = new Standby(root, port, primary.binDirectory().resolve("pg_ctl").toRealPath().getParent(),
                    primary.password());
            try {
                standby.run(Map.of("PGPASSWORD", primary.password()), "pg_basebackup", "-h", LocalCluster.HOST,
                        "-p", Integer.toString(primary.port()), "-U", "postgres", "-D", standby.data.toString(), "-R",
                        "-X", "stream", "--checkpoint=fast", "--no-sync");
                standby.run(Map.of(), "pg_ctl", "-D", standby.data.toString(), "-l", root.resolve("log").toString(),
                        "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=" + LocalCluster.HOST
                                + " -c unix_socket_directories=" + root + " -c wal_keep_size=1GB", "start");
                return standby;
            } catch (Exception | AssertionError e) {
                standby.close();
                throw e;
            }
        }

        ConnectionSettings settings() {
            return new ConnectionSettings(LocalCluster.HOST, port, "postgres", "postgres", password, Map.of());
        }

        void promote() throws Exception {
            run(Map.of(), "pg_ctl", "-D", data.toString(), "-w", "-t", "60", "promote");
        }

        void execute(String... sql) throws Exception {
            try (Connection c = io.arca.postgres.local.PgConnections.open(settings()); Statement st = c.createStatement()) {
                for (String s : sql) {
                    st.execute(s);
                }
            }
        }

        private void run(Map<String, String> env, String program, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--",
                    bin.resolve(program).toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(root.resolve(program + ".out").toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(program + " failed:\n" + Files.readString(root.resolve(program + ".out"))
                        + (Files.exists(root.resolve("log")) ? "\nserver log:\n" + Files.readString(root.resolve("log")) : ""));
            }
        }

        @Override
        public void close() throws Exception {
            try {
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    run(Map.of(), "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
                }
            } finally {
                try (Stream<Path> s = Files.walk(root)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

}
