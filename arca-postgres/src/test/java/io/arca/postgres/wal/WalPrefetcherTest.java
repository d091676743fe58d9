package io.arca.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background prefetcher of wal-fetch, against a real local repository. */
class WalPrefetcherTest {
    private static final long SEG = 16L << 20;
    private static final long SYSTEM = 7441234567890123456L;

    @TempDir
    Path dir;
    private WalArchive archive;
    private Path spool;
    private Path pgdata;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Repository repo = Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:1"),
                Clock.systemUTC());
        archive = new WalArchive(repo, CodecSpec.parse("zstd:1"));
        pgdata = Files.createDirectories(dir.resolve("pgdata"));
        Files.createFile(pgdata.resolve("recovery.signal"));
        Files.writeString(pgdata.resolve("postmaster.pid"), "4242\n");
        spool = Files.createDirectories(pgdata.resolve("pg_wal/arca-spool"));
        // segments 1/10 to 1/19 archived; 1/1A is the end of the archive
        for (int i = 0; i < 10; i++) {
            archive.push(SYSTEM, name(0x10 + i), segment(i));
        }
    }

    @Test
    void keepsTheWindowFilledAsRecoveryConsumesAndStopsAtTheEndOfTheArchive() throws Exception {
        WalPrefetcher prefetcher = prefetcher(3, Duration.ofMinutes(1));
        Thread t = start(prefetcher, name(0x11));
        await(() -> spooled().size() == 3);
        assertThat(spooled()).containsExactly(name(0x11).name(), name(0x12).name(), name(0x13).name());
        assertThat(WalPrefetcher.running(spool)).isTrue();
        WalPrefetcher.State state = WalPrefetcher.state(spool, SEG);
        assertThat(state.covers(name(0x12))).isTrue();
        assertThat(state.covers(name(0x14))).isFalse();
        // the window stays at 3 while nothing is consumed
        Thread.sleep(300);
        assertThat(spooled()).hasSize(3);
        // each segment recovery takes is replaced by the next one, checked like any fetch
        Files.move(spool.resolve(name(0x11).name()), pgdata.resolve("pg_wal").resolve(name(0x11).name()));
        await(() -> spooled().contains(name(0x14).name()));
        assertThat(Files.readAllBytes(spool.resolve(name(0x14).name()))).isEqualTo(Files.readAllBytes(segment(4)));
        for (int i = 0x12; i <= 0x19; i++) {
            String n = name(i).name();
            await(() -> Files.exists(spool.resolve(n)));
            Files.delete(spool.resolve(n));
        }
        // 1/1A is not archived: the prefetcher says so and stops
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(t.isAlive()).isFalse();
        assertThat(WalPrefetcher.running(spool)).isFalse();
        assertThat(spooled()).isEmpty();
        assertThat(log).isEmpty();
    }

    @Test
    void onlyOnePrefetcherRunsOnASpool() throws Exception {
        Thread first = start(prefetcher(2, Duration.ofMinutes(1)), name(0x10));
        await(() -> WalPrefetcher.running(spool));
        // a second one returns at once (in another process, the lock is what keeps it out)
        long started = System.nanoTime();
        prefetcher(2, Duration.ofMinutes(1)).run(name(0x10));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(first.isAlive()).isTrue();
        Files.delete(pgdata.resolve("recovery.signal"));
        first.join(10_000);
        assertThat(first.isAlive()).isFalse();
    }

    @Test
    void stopsWhenRecoveryEndsOrNothingIsConsumed() throws Exception {
        Thread t = start(prefetcher(2, Duration.ofMinutes(1)), name(0x10));
        await(() -> spooled().size() == 2);
        // PostgreSQL removes recovery.signal when recovery ends
        Files.delete(pgdata.resolve("recovery.signal"));
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();

        Files.createFile(pgdata.resolve("recovery.signal"));
        Thread serverGone = start(prefetcher(2, Duration.ofMinutes(1)), name(0x10));
        await(() -> WalPrefetcher.running(spool));
        Files.delete(pgdata.resolve("postmaster.pid"));
        serverGone.join(10_000);
        assertThat(serverGone.isAlive()).as("stopped when the server is gone").isFalse();

        Files.writeString(pgdata.resolve("postmaster.pid"), "4242\n");
        Thread idle = start(prefetcher(2, Duration.ofMillis(500)), name(0x10));
        idle.join(10_000);
        assertThat(idle.isAlive()).as("stopped after the idle time").isFalse();
    }

    @Test
    void aSegmentThatFailsItsCheckIsNotSpooledAndStopsThePrefetcher() throws Exception {
        // damage the stored 1/12: its name's SHA-256 no longer matches
        Path stored;
        try (Stream<Path> files = Files.walk(dir.resolve("repo/wal"))) {
            stored = files.filter(p -> p.getFileName().toString().startsWith(name(0x12).name())).findFirst().orElseThrow();
        }
        Path plain = dir.resolve("other");
        Files.write(plain, com.github.luben.zstd.Zstd.compress(Files.readAllBytes(segment(7))));
        Files.copy(plain, stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Thread t = start(prefetcher(4, Duration.ofMinutes(1)), name(0x10));
        t.join(20_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(spooled()).doesNotContain(name(0x12).name()).contains(name(0x10).name(), name(0x11).name());
        assertThat(log).singleElement().asString().contains("prefetching " + name(0x12).name() + " failed");
    }

    private WalPrefetcher prefetcher(int window, Duration idle) {
        return new WalPrefetcher(archive, SYSTEM, SEG, spool, pgdata, window, 2, idle, log::add);
    }

    private static Thread start(WalPrefetcher prefetcher, WalFileName first) {
        Thread t = new Thread(() -> prefetcher.run(first), "test-prefetcher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private List<String> spooled() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(10);
        }
    }

    private static WalFileName name(int segment) {
        return WalFileName.segment(new TimelineId(1), 0x100 + segment, SEG);
    }

    private Path segment(int variant) throws IOException {
        Path file = dir.resolve("segment-" + variant);
        if (Files.exists(file)) {
            return file;
        }
        byte[] data = new byte[1 << 16];
        new Random(variant).nextBytes(data);
        ByteBuffer.wrap(data, 24, 8).order(ByteOrder.nativeOrder()).putLong(SYSTEM);
        return Files.write(file, data);
    }
}
