package io.arca.core.repo.lease;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageFullException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes leases in a repository's {@code locks/} folder. A lease is a small JSON object
 * ({@link LeaseRecord}) that its holder renews every third of its time to live; a lease that was
 * not renewed in time, or whose process is gone from this host, is stale and counts as free.
 *
 * <h2>Modes</h2>
 * Backups and copies take a {@link LeaseMode#SHARED shared} lease ({@code locks/shared-<nonce>.json},
 * one per process); prune takes the {@link LeaseMode#EXCLUSIVE exclusive} one
 * ({@code locks/exclusive.json}). Two exclusive holders are impossible: the lease is created with
 * an if-absent write, which S3 ({@code If-None-Match}), GCS (generation precondition), Azure
 * ({@code If-None-Match}) and the local store (hard link) make atomic. Shared against exclusive
 * works like restic's locks: each side first writes its own lease and then looks for the other
 * kind; whoever finds a live lease of the other kind withdraws its own and fails. In a tight race
 * both may withdraw, never both proceed (this needs read-after-write listing, which every
 * supported store has).
 *
 * <h2>Stale leases</h2>
 * A stale exclusive lease is taken over through a marker object
 * {@code locks/exclusive.takeover-<nonce of the stale lease>} written if-absent: of several
 * processes that find the same stale lease, exactly one wins the marker, deletes the stale lease
 * and takes its own. Nonces are never reused, so a marker cannot match a later lease. Stale shared
 * leases are ignored by everyone and deleted by the next exclusive holder.
 *
 * <p>A held lease that is found to belong to someone else when renewing (because it went stale
 * and was taken over) is lost: {@link Lease#ensureHeld()} then fails with exit 11.
 *
 * <h2>The reserve</h2>
 * {@code prune} must work on a full repository, since it is what frees the space, but it cannot
 * delete anything before it holds the exclusive lease, whose write needs space. So the folder
 * keeps {@value #RESERVE_KEY} ({@value #RESERVE_BYTES} bytes): when the exclusive lease's write
 * fails for lack of space ({@link StorageFullException}), the reserve is deleted and the write
 * tried once more; releasing any lease re-creates a missing reserve where space allows (best
 * effort, as is creating it when the exclusive lease is taken).
 */
public final class Leases {
    /** Folder of lease objects. */
    public static final String PREFIX = "locks/";
    /** The exclusive lease's key. */
    public static final String EXCLUSIVE_KEY = PREFIX + "exclusive.json";
    /** Default time to live: long enough for a slow store, short enough that a crash blocks little. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    /** Space kept for the exclusive lease of a prune on a full repository. */
    public static final String RESERVE_KEY = PREFIX + "reserve";
    /** The reserve's size: room for the lease, its renewals and a take-over marker, in blocks of any file system. */
    public static final int RESERVE_BYTES = 128 * 1024;

    private static final String SHARED_PREFIX = PREFIX + "shared-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Storage storage;
    private final Clock clock;
    private final Duration ttl;
    private final String host;
    private final long pid;

    public Leases(Storage storage, Clock clock, Duration ttl) {
        this(storage, clock, ttl, localHost(), ProcessHandle.current().pid());
    }

    Leases(Storage storage, Clock clock, Duration ttl, String host, long pid) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease time to live must be positive: " + ttl);
        }
        this.ttl = ttl;
        this.host = host;
        this.pid = pid;
    }

    /**
     * Takes a lease and starts renewing it on a daemon thread until {@link Lease#close()}.
     *
     * @throws ArcaException {@link ErrorCode#LOCK_HELD} naming the holder when a live lease of a
     *     conflicting mode exists
     */
    public Lease acquire(LeaseMode mode, String purpose) {
        Instant now = clock.instant();
        LeaseRecord mine = new LeaseRecord(newNonce(), mode, purpose, host, pid, now, now.plus(ttl));
        String key;
        if (mode == LeaseMode.EXCLUSIVE) {
            key = EXCLUSIVE_KEY;
            takeExclusive(mine);
            try {
                for (String other : sharedKeys()) {
                    Optional<LeaseRecord> lease = read(other);
                    if (lease.isPresent() && isLive(lease.get())) {
                        throw held(lease.get());
                    }
                    // a stale shared lease: its holder is gone or cannot renew; nobody else removes it
                    storage.delete(other);
                }
            } catch (RuntimeException e) {
                deleteIfMine(key, mine.nonce());
                throw e;
            }
        } else {
            key = SHARED_PREFIX + mine.nonce() + ".json";
            write(key, mine, WriteOptions.ifAbsent());
            try {
                Optional<LeaseRecord> exclusive = read(EXCLUSIVE_KEY);
                if (exclusive.isPresent() && isLive(exclusive.get())) {
                    throw held(exclusive.get());
                }
            } catch (RuntimeException e) {
                storage.delete(key);
                throw e;
            }
        }
        return new Lease(this, key, mine);
    }

    /** Every lease object in the repository with whether it is live now; for status and messages. */
    public List<LeaseState> list() {
        List<LeaseState> result = new ArrayList<>();
        for (ObjectInfo info : storage.list(PREFIX)) {
            if (!info.key().endsWith(".json")) {
                continue;
            }
            read(info.key()).ifPresent(lease -> result.add(new LeaseState(info.key(), lease, isLive(lease))));
        }
        return result;
    }

    /** A lease object and whether it counts. */
    public record LeaseState(String key, LeaseRecord lease, boolean live) {
    }

    private void takeExclusive(LeaseRecord mine) {
        // a few rounds: each either takes the lease, fails on a live holder, or removes a stale one
        for (int round = 0; round < 5; round++) {
            try {
                try {
                    write(EXCLUSIVE_KEY, mine, WriteOptions.ifAbsent());
                } catch (StorageFullException full) {
                    if (!releaseReserve()) {
                        throw full;
                    }
                    write(EXCLUSIVE_KEY, mine, WriteOptions.ifAbsent());
                }
                ensureReserve();
                return;
            } catch (StorageAlreadyExistsException e) {
                Optional<LeaseRecord> current = read(EXCLUSIVE_KEY);
                if (current.isEmpty()) {
                    continue; // released meanwhile
                }
                if (isLive(current.get())) {
                    throw held(current.get());
                }
                takeOver(current.get());
            }
        }
        throw new ArcaException(ErrorCode.LOCK_HELD, "could not take the exclusive lease in '" + storage.url()
                + "': other processes keep taking it", "try again in a minute");
    }

    private void takeOver(LeaseRecord stale) {
        String marker = PREFIX + "exclusive.takeover-" + stale.nonce();
        try {
            write(marker, new LeaseRecord(newNonce(), LeaseMode.EXCLUSIVE, "takeover", host, pid, clock.instant(),
                    clock.instant().plus(ttl)), WriteOptions.ifAbsent());
        } catch (StorageAlreadyExistsException e) {
            throw new ArcaException(ErrorCode.LOCK_HELD, "repository '" + storage.url() + "' is locked: the stale lease of "
                    + stale.holder() + " is being taken over by another process", "try again in a minute");
        }
        // only the marker's winner gets here for this stale nonce; the nonce never comes back
        Optional<LeaseRecord> again = read(EXCLUSIVE_KEY);
        if (again.isPresent() && again.get().nonce().equals(stale.nonce())) {
            storage.delete(EXCLUSIVE_KEY);
        }
        storage.delete(marker);
    }

    /** Deletes the reserve to make room; false when there was none. */
    private boolean releaseReserve() {
        if (storage.stat(RESERVE_KEY).isEmpty()) {
            return false;
        }
        storage.delete(RESERVE_KEY);
        return true;
    }

    /** Creates the reserve when it is missing; best effort, never throws (no space is the usual reason). */
    public void ensureReserve() {
        try {
            if (storage.stat(RESERVE_KEY).isPresent()) {
                return;
            }
            try (StorageWriter w = storage.openWrite(RESERVE_KEY, WriteOptions.ifAbsent())) {
                w.write(new byte[RESERVE_BYTES]);
                w.commit();
            }
        } catch (IOException | RuntimeException e) {
            // no space yet, or another process made it meanwhile: the next lease release tries again
        }
    }

    private List<String> sharedKeys() {
        return storage.list(SHARED_PREFIX).stream().map(ObjectInfo::key).toList();
    }

    /** Live: not expired, and when on this host, its process still runs. */
    boolean isLive(LeaseRecord lease) {
        if (!clock.instant().isBefore(lease.expiresAt())) {
            return false;
        }
        if (host.equals(lease.host()) && lease.pid() != pid) {
            return ProcessHandle.of(lease.pid()).map(ProcessHandle::isAlive).orElse(false);
        }
        return true;
    }

    private ArcaException held(LeaseRecord lease) {
        return new ArcaException(ErrorCode.LOCK_HELD, "repository '" + storage.url() + "' is locked by " + lease.holder()
                + " (" + lease.mode().name().toLowerCase(Locale.ROOT) + " lease, expires " + lease.expiresAt()
                + " unless renewed)", "wait for it to finish and try again; the lease of a process that died expires by itself");
    }

    Optional<LeaseRecord> read(String key) {
        try (InputStream in = storage.openRead(key)) {
            return Optional.of(RepositoryJson.read(in, LeaseRecord.class));
        } catch (StorageNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            // a damaged lease object is treated like a live one from nobody we know: refuse, do not guess
            throw new ArcaException(ErrorCode.LOCK_HELD, "lease '" + key + "' in '" + storage.url() + "' is unreadable: "
                    + e.getMessage(), "if no arca process works on this repository, delete '" + key + "'", e);
        }
    }

    void write(String key, LeaseRecord lease, WriteOptions options) {
        try (StorageWriter w = storage.openWrite(key, options)) {
            w.write(RepositoryJson.write(lease));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renews {@code mine} in place; false when the key now holds someone else's lease or nothing. */
    boolean renew(String key, LeaseRecord mine, Instant until) {
        Optional<LeaseRecord> current = read(key);
        if (current.isEmpty() || !current.get().nonce().equals(mine.nonce())) {
            return false;
        }
        write(key, new LeaseRecord(mine.nonce(), mine.mode(), mine.purpose(), mine.host(), mine.pid(), mine.startedAt(),
                until), WriteOptions.DEFAULT);
        return true;
    }

    void deleteIfMine(String key, String nonce) {
        Optional<LeaseRecord> current = read(key);
        if (current.isPresent() && current.get().nonce().equals(nonce)) {
            storage.delete(key);
        }
    }

    Clock clock() {
        return clock;
    }

    Duration ttl() {
        return ttl;
    }

    Storage storage() {
        return storage;
    }

    private static String newNonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String localHost() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
