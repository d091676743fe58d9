package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wal-push and wal-fetch as PostgreSQL runs them: a real cluster archives through
 * {@code archive_command = 'java -jar arca.jar wal-push %p'}, and the archived segments come back
 * through wal-fetch byte for byte; one call archives the other ready segments too, and one fetch
 * the next segments into a spool; conflicts and missing files exit as PostgreSQL expects.
 */
class WalArchiveIT {
    private static final long SEGMENT = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void postgresArchivesThroughWalPushAndWalFetchReturnsTheSegments() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        ServerSide.openUp(repo);
        Path tmp = ServerSide.openUp(dir.resolve("tmp"));
        String command = ServerSide.arcaCommand(tmp) + " wal-push %p --repo " + repo;
        try (LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withFastAndUnsafe(true)
                .withSetting("archive_mode", "on").withSetting("archive_command", command))) {
            cluster.execute("postgres", "create table t (id int, payload text)");
            for (int i = 0; i < 3; i++) {
                cluster.execute("postgres", "insert into t select g, repeat('x', 100) from generate_series(1, 20000) g",
                        "select pg_switch_wal()");
            }
            long systemId = systemId(cluster.dataDirectory());
            Path folder = repo.resolve("wal").resolve(Long.toUnsignedString(systemId)).resolve("00000001");
            // the archiver counts only the calls it made; the segments a call archived beside its own count here
            List<Path> stored = waitForArchive(cluster, folder, 3);
            assertThat(stored).allMatch(p -> p.getFileName().toString().matches("[0-9A-F]{24}-[0-9a-f]{64}\\.zst"));

            // every archived segment comes back byte for byte: its SHA-256 is the one in its name
            Path pgdata = dir.resolve("copy-of-control");
            Files.createDirectories(pgdata.resolve("global"));
            Files.createDirectories(pgdata.resolve("pg_wal"));
            Files.copy(cluster.dataDirectory().resolve("global/pg_control"), pgdata.resolve("global/pg_control"));
            for (Path p : stored) {
                String file = p.getFileName().toString();
                String name = file.substring(0, 24);
                ArcaRun fetch = ArcaRun.of("wal-fetch", name, "pg_wal/RECOVERYXLOG", "--repo", repo.toString(),
                        "--pgdata", pgdata.toString(), "--spool", dir.resolve("spool").toString());
                assertThat(fetch.exit()).as(fetch.toString()).isZero();
                byte[] segment = Files.readAllBytes(pgdata.resolve("pg_wal/RECOVERYXLOG"));
                assertThat(segment).hasSize((int) SEGMENT);
                assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(segment)))
                        .isEqualTo(file.substring(25, 89));
            }
            ArcaRun missing = ArcaRun.of("wal-fetch", "0000000100000000000000F0", "pg_wal/RECOVERYXLOG", "--repo",
                    repo.toString(), "--pgdata", pgdata.toString());
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).isEmpty();
            ArcaRun nowhere = ArcaRun.of("wal-fetch", stored.get(0).getFileName().toString().substring(0, 24),
                    "no/such/dir/RECOVERYXLOG", "--repo", repo.toString(), "--pgdata", pgdata.toString());
            assertThat(nowhere.exit()).isEqualTo(1);
            assertThat(nowhere.err()).contains("cannot write the WAL file to").doesNotContain("internal error");
        }
    }

    @Test
    void oneCallArchivesTheOtherReadySegmentsAndMarksThemDone() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
        long systemId = 7441234567890123456L;
        Path pgdata = fakeDataDirectory(systemId);
        Path wal = pgdata.resolve("pg_wal");
        for (int i = 1; i <= 6; i++) {
            String name = String.format("0000000100000000%08X", i);
            segment(wal.resolve(name), systemId, i);
            Files.createFile(wal.resolve("archive_status").resolve(name + ".ready"));
        }
        ArcaRun push = ArcaRun.of("wal-push", "pg_wal/000000010000000000000001", "--repo", repo.toString(),
                "--pgdata", pgdata.toString());
        assertThat(push.exit()).as(push.toString()).isZero();
        try (Stream<Path> s = Files.list(repo.resolve("wal").resolve(Long.toUnsignedString(systemId)).resolve("00000001"))) {
            assertThat(s.count()).isEqualTo(6);
        }
        try (Stream<Path> s = Files.list(wal.resolve("archive_status"))) {
            // the one asked for stays ready: PostgreSQL marks it done itself when the call succeeds
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "000000010000000000000001.ready", "000000010000000000000002.done", "000000010000000000000003.done",
                    "000000010000000000000004.done", "000000010000000000000005.done", "000000010000000000000006.done");
        }
        // PostgreSQL retrying a segment already archived: accepted
        assertThat(ArcaRun.of("wal-push", "pg_wal/000000010000000000000002", "--repo", repo.toString(),
                "--pgdata", pgdata.toString(), "--parallel", "0").exit()).isZero();
        // the same name with other content: refused, below 126
        segment(wal.resolve("000000010000000000000002"), systemId, 99);
        ArcaRun conflict = ArcaRun.of("wal-push", "pg_wal/000000010000000000000002", "--repo", repo.toString(),
                "--pgdata", pgdata.toString(), "--parallel", "0");
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.err()).contains("already archived with other content").contains("ARCA-1103");
        // recovery (a server running, recovery.signal present): the first fetch starts the background
        // prefetcher, a process of its own, which keeps the next 3 segments in the spool
        Files.writeString(pgdata.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n");
        Files.createFile(pgdata.resolve("recovery.signal"));
        Path spool = dir.resolve("spool");
        Path target = Files.createDirectories(dir.resolve("recovering/pg_wal")).resolve("RECOVERYXLOG");
        ArcaRun first = ArcaRun.of("wal-fetch", "000000010000000000000001", target.toString(), "--repo", repo.toString(),
                "--pgdata", pgdata.toString(), "--prefetch", "3", "--spool", spool.toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        awaitSpooled(spool, 3);
        assertThat(spooled(spool)).containsExactly(
                "000000010000000000000002", "000000010000000000000003", "000000010000000000000004");
        // recovery ends: the prefetcher stops
        Files.delete(pgdata.resolve("recovery.signal"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (io.arca.postgres.wal.WalPrefetcher.running(spool)) {
            assertThat(System.nanoTime()).as("the prefetcher stops; its log: " + prefetchLog(spool)).isLessThan(deadline);
            Thread.sleep(20);
        }
        byte[] second = Files.readAllBytes(wal.resolve("000000010000000000000003"));
        try (Stream<Path> s = Files.list(repo.resolve("wal").resolve(Long.toUnsignedString(systemId)).resolve("00000001"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("000000010000000000000003-")).toList()) {
                Files.delete(p);
            }
        }
        ArcaRun fromSpool = ArcaRun.of("wal-fetch", "000000010000000000000003", target.toString(), "--repo",
                repo.toString(), "--pgdata", pgdata.toString(), "--prefetch", "3", "--spool", spool.toString());
        assertThat(fromSpool.exit()).as(fromSpool.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(second);
        // served from the spool; what recovery has passed is gone
        assertThat(spooled(spool)).containsExactly("000000010000000000000004");
        assertThat(prefetchLog(spool)).isEmpty();
        // the newest archived segment: nothing to fetch ahead, so no prefetcher is started
        Files.createFile(pgdata.resolve("recovery.signal"));
        Path spool2 = dir.resolve("spool2");
        ArcaRun newest = ArcaRun.of("wal-fetch", "000000010000000000000006", target.toString(), "--repo", repo.toString(),
                "--pgdata", pgdata.toString(), "--prefetch", "3", "--spool", spool2.toString());
        assertThat(newest.exit()).as(newest.toString()).isZero();
        assertThat(spool2.resolve(WalFetchCommand.WORKER_LOG)).doesNotExist();
        assertThat(spool2.resolve(io.arca.postgres.wal.WalPrefetcher.LOCK)).doesNotExist();
        Files.delete(pgdata.resolve("recovery.signal"));
        // a segment of another cluster: refused
        segment(wal.resolve("000000010000000000000007"), systemId + 1, 7);
        ArcaRun foreign = ArcaRun.of("wal-push", "pg_wal/000000010000000000000007", "--repo", repo.toString(),
                "--pgdata", pgdata.toString(), "--parallel", "0");
        assertThat(foreign.exit()).isEqualTo(1);
        assertThat(foreign.err()).contains("ARCA-1104");
    }

    /** The segments in the spool (not the prefetcher's lock, state and log). */
    private static List<String> spooled(Path spool) throws IOException {
        try (Stream<Path> s = Files.list(spool)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).sorted().toList();
        }
    }

    private static void awaitSpooled(Path spool, int n) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (spooled(spool).size() < n) {
            assertThat(System.nanoTime()).as("the prefetcher spools " + n + " segments; its log: " + prefetchLog(spool))
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String prefetchLog(Path spool) throws IOException {
        Path log = spool.resolve(WalFetchCommand.WORKER_LOG);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private Path fakeDataDirectory(long systemId) throws IOException {
        Path pgdata = dir.resolve("pgdata");
        Files.createDirectories(pgdata.resolve("global"));
        Files.createDirectories(pgdata.resolve("pg_wal").resolve("archive_status"));
        byte[] control = new byte[8192];
        ByteBuffer.wrap(control).order(ByteOrder.nativeOrder()).putLong(systemId);
        Files.write(pgdata.resolve("global").resolve("pg_control"), control);
        return pgdata;
    }

    private static void segment(Path file, long systemId, int variant) throws IOException {
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + variant);
        }
        ByteBuffer.wrap(data, 24, 8).order(ByteOrder.nativeOrder()).putLong(systemId);
        Files.write(file, data);
    }

    private static long systemId(Path dataDirectory) throws IOException {
        byte[] control = Files.readAllBytes(dataDirectory.resolve("global").resolve("pg_control"));
        return ByteBuffer.wrap(control, 0, 8).order(ByteOrder.nativeOrder()).getLong();
    }

    private static List<Path> waitForArchive(LocalCluster cluster, Path folder, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    List<Path> stored = s.sorted().toList();
                    if (stored.size() >= atLeast) {
                        return stored;
                    }
                }
            }
            try (Connection c = cluster.connect("postgres");
                    ResultSet rs = c.createStatement().executeQuery("select last_failed_wal from pg_stat_archiver")) {
                rs.next();
                if (rs.getString(1) != null) {
                    throw new AssertionError("archiving " + rs.getString(1) + " failed; server log:\n"
                            + String.join("\n", cluster.logTail(40)));
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + atLeast + " segments archived in 120 s; server log:\n"
                + String.join("\n", cluster.logTail(40)));
    }
}
