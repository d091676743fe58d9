package io.arca.core.repo.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeasesTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    @TempDir
    Path dir;
    Storage storage;
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

    @BeforeEach
    void open() {
        storage = new LocalFileStorage(dir);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private Leases leases(String host, long pid) {
        return new Leases(storage, clock, TTL, host, pid);
    }

    @Test
    void secondExclusiveLeaseIsRefusedNamingTheHolder() {
        try (Lease first = leases("db-1", 101).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThatThrownBy(() -> leases("db-2", 202).acquire(LeaseMode.EXCLUSIVE, "prune"))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD);
                        assertThat(e.getMessage()).contains("prune by pid 101 on db-1").contains("2026-11-22T10:00:00Z");
                    });
        }
        // released: the next one gets it
        try (Lease again = leases("db-2", 202).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(again.record().host()).isEqualTo("db-2");
        }
        // only the reserve stays, made when the exclusive lease was taken
        assertThat(storage.list("locks/")).extracting(ObjectInfo::key).containsExactly(Leases.RESERVE_KEY);
    }

    @Test
    void sharedLeasesCoexistButExcludeTheExclusiveOne() {
        try (Lease a = leases("db-1", 1).acquire(LeaseMode.SHARED, "backup");
                Lease b = leases("db-2", 2).acquire(LeaseMode.SHARED, "backup")) {
            assertThat(a.key()).isNotEqualTo(b.key());
            assertThatThrownBy(() -> leases("db-3", 3).acquire(LeaseMode.EXCLUSIVE, "prune"))
                    .isInstanceOfSatisfying(ArcaException.class,
                            e -> assertThat(e.getMessage()).contains("backup by pid"));
            // the refused prune withdrew its own lease
            assertThat(storage.stat(Leases.EXCLUSIVE_KEY)).isEmpty();
        }
        try (Lease prune = leases("db-3", 3).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThatThrownBy(() -> leases("db-1", 1).acquire(LeaseMode.SHARED, "backup"))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code().exitCode()).isEqualTo(11);
                        assertThat(e.getMessage()).contains("prune by pid 3 on db-3");
                    });
            assertThat(storage.list("locks/shared-")).isEmpty();
        }
    }

    @Test
    void anExpiredLeaseIsStaleAndTakenOver() {
        Lease crashed = leases("db-1", 101).acquire(LeaseMode.EXCLUSIVE, "prune");
        crashed.close();
        // simulate a crash: the lease object stays, nobody renews it
        leases("db-1", 101).write(Leases.EXCLUSIVE_KEY, crashed.record(), WriteOptions.DEFAULT);

        assertThatThrownBy(() -> leases("db-2", 202).acquire(LeaseMode.EXCLUSIVE, "prune"))
                .isInstanceOf(ArcaException.class);
        clock.advance(TTL.plusSeconds(1));
        try (Lease taken = leases("db-2", 202).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(taken.record().host()).isEqualTo("db-2");
        }
        assertThat(storage.list("locks/")).extracting(ObjectInfo::key).as("no marker left behind")
                .containsExactly(Leases.RESERVE_KEY);
    }

    @Test
    void aLeaseOfADeadProcessOnThisHostIsStaleAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Leases local = leases("this-host", ProcessHandle.current().pid());
        local.write(Leases.EXCLUSIVE_KEY, new LeaseRecord("00ff", LeaseMode.EXCLUSIVE, "prune",
                "this-host", gone.pid(), clock.instant(), clock.instant().plus(TTL)), WriteOptions.ifAbsent());
        try (Lease taken = local.acquire(LeaseMode.SHARED, "backup")) {
            assertThat(taken.record().mode()).isEqualTo(LeaseMode.SHARED);
        }
        try (Lease taken = local.acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(taken.record().pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void staleSharedLeasesAreIgnoredAndRemovedByTheNextPrune() {
        Lease old = leases("db-1", 1).acquire(LeaseMode.SHARED, "backup");
        String key = old.key();
        old.close();
        leases("db-1", 1).write(key, old.record(), WriteOptions.DEFAULT);
        clock.advance(TTL.multipliedBy(2));

        try (Lease prune = leases("db-2", 2).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(storage.list("locks/").stream().map(ObjectInfo::key)).containsExactly(Leases.EXCLUSIVE_KEY,
                    Leases.RESERVE_KEY);
        }
    }

    @Test
    void aLeaseTakenOverAfterItWentStaleIsLost() {
        Lease slow = leases("db-1", 1).acquire(LeaseMode.EXCLUSIVE, "prune");
        clock.advance(TTL.plusSeconds(1));
        try (Lease other = leases("db-2", 2).acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(leases("db-1", 1).renew(Leases.EXCLUSIVE_KEY, slow.record(), clock.instant().plus(TTL))).isFalse();
            // closing the lost lease must not delete the new holder's lease
            slow.close();
            assertThat(leases("x", 9).read(Leases.EXCLUSIVE_KEY)).hasValueSatisfying(
                    r -> assertThat(r.nonce()).isEqualTo(other.record().nonce()));
        }
    }

    @Test
    void renewalExtendsTheLease() throws Exception {
        Leases fast = new Leases(storage, clock, Duration.ofMillis(300), "db-1", 1);
        try (Lease lease = fast.acquire(LeaseMode.EXCLUSIVE, "prune")) {
            Instant first = fast.read(Leases.EXCLUSIVE_KEY).orElseThrow().expiresAt();
            clock.advance(Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (fast.read(Leases.EXCLUSIVE_KEY).orElseThrow().expiresAt().equals(first) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(fast.read(Leases.EXCLUSIVE_KEY).orElseThrow().expiresAt()).isAfter(first);
            lease.ensureHeld();
        }
    }

    /** Many processes find the same stale lease at once: exactly one takes it over. */
    @RepeatedTest(5)
    void concurrentTakeoverOfAStaleLeaseHasOneWinner() throws Exception {
        Lease crashed = leases("db-0", 100).acquire(LeaseMode.EXCLUSIVE, "prune");
        crashed.close();
        leases("db-0", 100).write(Leases.EXCLUSIVE_KEY, crashed.record(), WriteOptions.DEFAULT);
        clock.advance(TTL.plusSeconds(1));

        int contenders = 8;
        CyclicBarrier start = new CyclicBarrier(contenders);
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        List<Future<Lease>> results = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            int n = i;
            Callable<Lease> task = () -> {
                start.await(10, TimeUnit.SECONDS);
                try {
                    return leases("db-" + (n + 1), n + 1).acquire(LeaseMode.EXCLUSIVE, "prune");
                } catch (ArcaException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD);
                    return null;
                }
            };
            results.add(pool.submit(task));
        }
        List<Lease> winners = new ArrayList<>();
        for (Future<Lease> f : results) {
            Lease l = f.get(30, TimeUnit.SECONDS);
            if (l != null) {
                winners.add(l);
            }
        }
        pool.shutdown();
        try {
            // the marker's winner takes the lease; everyone else finds it taken or being taken
            assertThat(winners).hasSize(1);
            assertThat(leases("x", 9).read(Leases.EXCLUSIVE_KEY)).hasValueSatisfying(
                    r -> assertThat(r.nonce()).isEqualTo(winners.get(0).record().nonce()));
        } finally {
            winners.forEach(Lease::close);
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void onAFullStoreTheExclusiveLeaseTakesTheReserveAndReleasingRecreatesIt() {
        leases("db-1", 1).ensureReserve();
        assertThat(storage.stat(Leases.RESERVE_KEY).orElseThrow().size()).isEqualTo(Leases.RESERVE_BYTES);
        FullStorage full = new FullStorage(storage);
        Leases leases = new Leases(full, clock, TTL, "db-1", 1);
        try (Lease prune = leases.acquire(LeaseMode.EXCLUSIVE, "prune")) {
            assertThat(storage.stat(Leases.RESERVE_KEY)).as("deleted to make room").isEmpty();
            assertThat(storage.stat(Leases.EXCLUSIVE_KEY)).isPresent();
            full.writesLeft = Integer.MAX_VALUE; // the prune freed space
        }
        assertThat(storage.list("locks/")).extracting(ObjectInfo::key).containsExactly(Leases.RESERVE_KEY);
    }

    @Test
    void onAFullStoreWithoutReserveTheExclusiveLeaseFailsAsFull() {
        FullStorage full = new FullStorage(storage);
        assertThatThrownBy(() -> new Leases(full, clock, TTL, "db-1", 1).acquire(LeaseMode.EXCLUSIVE, "prune"))
                .isInstanceOf(io.arca.core.storage.StorageFullException.class);
        assertThat(storage.list("locks/")).isEmpty();
    }

    /** A store with no space left: writes fail, except one after the reserve is deleted (the space it freed). */
    private static final class FullStorage implements Storage {
        private final Storage delegate;
        volatile int writesLeft;

        FullStorage(Storage delegate) {
            this.delegate = delegate;
        }

        @Override
        public io.arca.core.storage.StorageUrl url() {
            return delegate.url();
        }

        @Override
        public java.util.Set<io.arca.core.storage.StorageFeature> features() {
            return delegate.features();
        }

        @Override
        public java.util.Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public java.io.InputStream openRead(String key, io.arca.core.storage.ReadRange range) {
            return delegate.openRead(key, range);
        }

        @Override
        public io.arca.core.storage.StorageWriter openWrite(String key, WriteOptions options) {
            if (writesLeft-- <= 0) {
                throw new io.arca.core.storage.StorageFullException("cannot write '" + key + "': no space left on device",
                        null, null);
            }
            return delegate.openWrite(key, options);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
            if (key.equals(Leases.RESERVE_KEY)) {
                writesLeft = 1;
            }
        }

        @Override
        public void close() {
        }
    }
}
