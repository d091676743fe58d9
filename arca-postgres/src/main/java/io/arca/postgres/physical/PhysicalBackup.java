package io.arca.postgres.physical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.ArcaVersion;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.repo.ArtifactRecord;
import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.Repository.PendingBackup;
import io.arca.core.source.BackupPart;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import io.arca.postgres.replication.BackupEnd;
import io.arca.postgres.replication.BaseBackup;
import io.arca.postgres.replication.BaseBackupRequest;
import io.arca.postgres.replication.Part;
import io.arca.postgres.replication.ReplicationConnection;
import io.arca.postgres.replication.SystemIdentity;
import io.arca.postgres.replication.Tablespace;
import io.arca.postgres.wal.WalReceiver;
import io.arca.postgres.wal.WalReceiverOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * Takes a physical backup of a whole cluster over the replication protocol with Arca's own client
 * ({@link ReplicationConnection}; pgjdbc cannot run {@code BASE_BACKUP}): each tar stream the
 * server sends (the data directory, then one per user tablespace) flows through the pipeline
 * straight into the repository as one artifact ({@code base.tar.zst}, {@code <oid>.tar.zst}),
 * compressed by zstd's worker threads; on its way every file's checksum is taken, and the server's
 * {@code backup_manifest} (kept as an artifact too) must match them before the backup is committed.
 *
 * <p>With {@link PhysicalBackupOptions#dataDirectory()} the files are read from the data directory
 * itself instead ({@link LocalBaseBackup}): same artifacts, a {@code backup_manifest} Arca writes.
 *
 * <p>The WAL from the backup's start to its stop position must be archived for the backup to be
 * restorable: with {@link PhysicalBackupOptions.WalMode#STREAM} a second replication connection,
 * opened as soon as the backup started, holds it with a temporary slot and streams it into the WAL
 * archive while the files stream; with {@link PhysicalBackupOptions.WalMode#ARCHIVE} the server
 * waits for its archive_command and Arca checks the archive holds every segment.
 */
public final class PhysicalBackup {
    private final Repository repository;
    private final Progress progress;

    public PhysicalBackup(Repository repository, Progress progress) {
        this.repository = repository;
        this.progress = progress;
    }

    Progress progress() {
        return progress;
    }

    Repository repository() {
        return repository;
    }

    /** Backs up the cluster at {@code db}; returns the committed manifest. */
    public BackupManifest run(ConnectionSettings db, PhysicalBackupOptions options) {
        try (Connections connections = Connections.open(db, options.dataDirectory() != null)) {
            return run(connections, options);
        }
    }

    /**
     * The server connections a backup needs, opened on threads of their own as soon as the
     * command knows the server, so that they are ready once the repository is open (each costs
     * tens of milliseconds of round trips and, for the SQL session, of class loading): the
     * replication connection, and with {@code --pgdata} the SQL session that starts and stops the
     * backup. Closing closes whatever opened, now or when it finishes opening.
     */
    public static final class Connections implements AutoCloseable {
        private final ConnectionSettings db;
        private final CompletableFuture<ReplicationConnection> replication;
        private final CompletableFuture<java.sql.Connection> sql;

        private Connections(ConnectionSettings db, CompletableFuture<ReplicationConnection> replication,
                CompletableFuture<java.sql.Connection> sql) {
            this.db = db;
            this.replication = replication;
            this.sql = sql;
        }

        /** Starts opening the connections to {@code db}; {@code sql} for a backup that reads the files itself. */
        public static Connections open(ConnectionSettings db, boolean sql) {
            return new Connections(db, onThread("arca-connect-replication", () -> ReplicationConnection.open(db)),
                    sql ? onThread("arca-connect-sql", () -> PgConnections.open(db)) : null);
        }

        ConnectionSettings db() {
            return db;
        }

        ReplicationConnection replication() {
            return await(replication);
        }

        java.sql.Connection sql() {
            if (sql == null) {
                throw new IllegalStateException("no SQL session was asked for");
            }
            return await(sql);
        }

        private static <T> T await(CompletableFuture<T> f) {
            try {
                return f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }

        @Override
        public void close() {
            replication.thenAccept(ReplicationConnection::close);
            if (sql != null) {
                sql.thenAccept(c -> {
                    try {
                        c.close();
                    } catch (java.sql.SQLException e) {
                        // closing: the session ends either way
                    }
                });
            }
        }
    }

    /** Backs up the cluster {@code connections} lead to; returns the committed manifest. */
    public BackupManifest run(Connections connections, PhysicalBackupOptions options) {
        ConnectionSettings db = connections.db();
        PendingBackup pending = repository.begin();
        boolean committed = false;
        long started = System.nanoTime();
        // the WAL it streams is compressed as wal-push and wal-receive compress it
        WalArchive archive = new WalArchive(repository, WalArchive.defaultCodec(repository.defaultCodec()));
        WalStream wal = new WalStream(db, archive, pending, options);
        try (ReplicationConnection conn = connections.replication()) {
            SystemIdentity identity = conn.identifySystem();
            long segmentSize = WalReceiver.parseSize(conn.show("wal_segment_size"));
            int versionNum = conn.serverVersionNum();
            if (versionNum < 130000) {
                throw new ArcaException(ErrorCode.USAGE, "PostgreSQL " + conn.parameter("server_version")
                        + " is too old for a physical backup with Arca", "use PostgreSQL 13 or newer (backup manifests)");
            }
            progress.note("starting the base backup of " + db.describe() + " (PostgreSQL "
                    + conn.parameter("server_version") + ", system " + Long.toUnsignedString(identity.systemId())
                    + ", " + (options.fastCheckpoint() ? "fast" : "spread") + " checkpoint"
                    + (options.dataDirectory() == null ? "" : ", files read from " + options.dataDirectory()) + ")");
            String label = "arca " + pending.id().value();
            Taken taken = options.dataDirectory() == null
                    ? overReplication(conn, label, pending, options, wal)
                    : new LocalBaseBackup(this, pending, options, wal).take(connections, identity, versionNum, label);
            Lsn startLsn = taken.startLsn();
            TimelineId timeline = taken.timeline();
            BackupEnd end = taken.end();
            long baseMillis = millisSince(started);
            progress.note("backup stopped at " + end.stopLsn() + "; archiving the WAL it needs");
            if (timeline.value() > 1) {
                storeHistory(conn, archive, identity.systemId(), timeline, segmentSize);
            }
            if (options.walMode() == PhysicalBackupOptions.WalMode.STREAM) {
                wal.finish(end.stopLsn());
            } else {
                awaitArchived(archive, identity.systemId(), timeline, startLsn, end.stopLsn(), segmentSize,
                        options.archiveTimeout());
            }
            WalFileName startWal = WalFileName.segment(timeline, startLsn.segment(segmentSize), segmentSize);
            WalFileName stopWal = WalFileName.segment(end.timeline(), end.stopLsn().segment(segmentSize), segmentSize);
            var physical = new PostgresSection.PhysicalInfo(Long.toUnsignedString(identity.systemId()),
                    (int) timeline.value(), startLsn.toString(), end.stopLsn().toString(), startWal.name(),
                    stopWal.name(), segmentSize, versionNum, taken.stopTime(), options.walMode().id(),
                    taken.tablespaces(), options.manifestChecksums() == null ? null : PhysicalArtifacts.MANIFEST,
                    options.manifestChecksums());
            var info = new PostgresSection.DatabaseInfo(null, db.hostAndPort(), conn.parameter("server_version"),
                    Long.toUnsignedString(identity.systemId()), conn.parameter("server_encoding"),
                    (int) timeline.value(), startLsn.toString(), end.stopLsn().toString(), false, List.of(), null);
            BackupManifest manifest = pending.commit(BackupManifest.builder().labels(options.labels())
                    .tool("arca", ArcaVersion.get()).timing("baseBackupMillis", baseMillis)
                    .timing("totalMillis", millisSince(started))
                    .part(new BackupPart(PostgresSection.section(BackupKind.PHYSICAL, info, physical, taken.artifacts()),
                            taken.artifacts(), null, null)));
            committed = true;
            return manifest;
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "the base backup failed: " + e.getMessage(),
                    "check the server log and the connection; nothing was committed", e);
        } finally {
            wal.close();
            if (!committed) {
                pending.discard();
            }
        }
    }

    /**
     * What taking the files gave: where the backup's WAL starts and stops, when it stopped, the
     * artifacts stored and the tablespaces.
     */
    record Taken(Lsn startLsn, TimelineId timeline, BackupEnd end, Instant stopTime, List<ArtifactRecord> artifacts,
            List<PostgresSection.TablespaceInfo> tablespaces) {
    }

    /** The files as the server's WAL sender sends them with {@code BASE_BACKUP}. */
    private Taken overReplication(ReplicationConnection conn, String label, PendingBackup pending,
            PhysicalBackupOptions options, WalStream wal) throws IOException {
        BaseBackupRequest request = new BaseBackupRequest(label, options.fastCheckpoint(),
                options.walMode() == PhysicalBackupOptions.WalMode.ARCHIVE, options.manifestChecksums(), true);
        List<ArtifactRecord> artifacts = new ArrayList<>();
        List<PostgresSection.TablespaceInfo> tablespaces = new ArrayList<>();
        BackupFileDigests digests = new BackupFileDigests(options.manifestChecksums());
        ServerManifest serverManifest = null;
        BackupEnd end;
        Instant stopTime;
        Lsn startLsn;
        TimelineId timeline;
        try (BaseBackup backup = conn.startBaseBackup(request)) {
            startLsn = backup.startLsn();
            timeline = backup.timeline();
            progress.note("backup started at " + startLsn + " on timeline " + timeline.value());
            wal.start(startLsn);
            long total = backup.estimatedBytes();
            LongConsumer counted = n -> {
                // a failed WAL stream stops the backup at once, not after the last file
                wal.check();
                progress.bytes("base backup", backup.bytesReceived(), total);
            };
            Part part;
            while ((part = backup.next()) != null) {
                wal.check();
                if (part.kind() == Part.Kind.MANIFEST) {
                    // stored, and kept to check the tars against
                    byte[][] manifestBytes = new byte[1][];
                    InputStream stream = part.stream();
                    artifacts.add(store(pending, PhysicalArtifacts.MANIFEST, "backup_manifest", options, out -> {
                        manifestBytes[0] = new ProgressInputStream(stream, counted).readAllBytes();
                        out.write(manifestBytes[0]);
                    }));
                    serverManifest = ServerManifest.parse(new ByteArrayInputStream(manifestBytes[0]));
                    continue;
                }
                Tablespace ts = part.tablespace();
                boolean base = ts == null || ts.oid() == null;
                String name = base ? PhysicalArtifacts.BASE : PhysicalArtifacts.tablespace(ts.oid());
                String prefix = base ? "" : ManifestCheck.tablespacePrefix(ts.oid());
                InputStream stream = part.stream();
                artifacts.add(store(pending, name, "tar", options,
                        out -> digests.copy(prefix, new ProgressInputStream(stream, counted), out)));
                progress.bytes("base backup", backup.bytesReceived(), total);
                if (!base) {
                    tablespaces.add(new PostgresSection.TablespaceInfo(ts.oid(), ts.location(), name));
                }
            }
            end = backup.finish();
            stopTime = repository.clock().instant();
        }
        if (options.manifestChecksums() != null) {
            if (serverManifest == null) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the server sent no backup_manifest",
                        "use PostgreSQL 13 or newer; nothing was committed");
            }
            digests.check(serverManifest);
            progress.note("every file matches the server's backup_manifest (" + digests.files().size() + " files)");
        }
        return new Taken(startLsn, timeline, end, stopTime, artifacts, tablespaces);
    }

    /** Writes an artifact's content. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Stores one artifact of the backup; {@code format} is {@code tar} or {@code backup_manifest}. */
    ArtifactRecord store(PendingBackup pending, String name, String format, PhysicalBackupOptions options,
            Writer writer) {
        try (ArtifactOutput out = pending.openArtifact(name, options.codec())) {
            if (format.equals("tar")) {
                // every file in it is checksummed by the backup_manifest, checked on the way in and out
                out.withoutPlainDigest();
            }
            writer.write(out);
            return ArtifactRecord.of(name, PhysicalArtifacts.SOURCE, format, out, out.finish(), List.of());
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.STORAGE_ACCESS, "writing '" + name + "' failed: " + e.getMessage(),
                    "check that the repository is reachable and writable", e);
        }
    }

    /**
     * The backup's WAL stream ({@link PhysicalBackupOptions.WalMode#STREAM}): streams the WAL from
     * the backup's start into the archive on a thread of its own while the files are taken, as
     * {@code pg_basebackup -X stream} does. That thread also opens the receiver and its temporary
     * slot, after the backup started, so the base backup does not wait for them: the slot reserves
     * the WAL from the last checkpoint's redo position, which is the backup's start (a checkpoint
     * in between would lose segments only if it came within those milliseconds, and then the
     * stream fails and nothing is committed). Does nothing in the other WAL modes.
     */
    final class WalStream implements AutoCloseable {
        private final ConnectionSettings db;
        private final WalArchive archive;
        private final PendingBackup pending;
        private final PhysicalBackupOptions options;
        /** The receiver once open (or the failure to open it). */
        private final CompletableFuture<WalReceiver> receiver = new CompletableFuture<>();
        /** Set when the backup is over: a receiver opened after that closes at once. */
        private final AtomicBoolean over = new AtomicBoolean();
        private volatile CompletableFuture<Lsn> streaming;

        WalStream(ConnectionSettings db, WalArchive archive, PendingBackup pending, PhysicalBackupOptions options) {
            this.db = db;
            this.archive = archive;
            this.pending = pending;
            this.options = options;
        }

        /** Starts streaming from {@code start}, the backup's start position. */
        void start(Lsn start) {
            if (options.walMode() != PhysicalBackupOptions.WalMode.STREAM) {
                return;
            }
            streaming = onThread("arca-backup-wal", () -> {
                WalReceiver r;
                try {
                    r = WalReceiver.open(db, archive, new WalReceiverOptions("arca_backup_" + slotSuffix(pending), true,
                            true, options.spoolDirectory(), Duration.ofSeconds(10), Duration.ofSeconds(30),
                            progress::note));
                } catch (RuntimeException | Error e) {
                    receiver.completeExceptionally(e);
                    throw e;
                }
                receiver.complete(r);
                if (over.get()) {
                    r.close();
                    throw new IllegalStateException("the backup ended before its WAL stream started");
                }
                return r.run(start, null);
            });
        }

        /** Throws the stream's failure, if it failed: the backup then stops at once, not after the last file. */
        void check() {
            CompletableFuture<Lsn> s = streaming;
            if (s != null && s.isCompletedExceptionally()) {
                awaitStreamed(s);
            }
        }

        /** Lets the stream run up to {@code stop}, the backup's stop position, and waits until it is archived. */
        void finish(Lsn stop) {
            if (streaming == null) {
                return;
            }
            // null when opening it failed: the stream's outcome says why
            WalReceiver r = receiver.handle((opened, failure) -> opened).join();
            if (r != null) {
                r.stopAt(stop);
            }
            awaitStreamed(streaming);
        }

        @Override
        public void close() {
            // a receiver still opening sees this and closes itself
            over.set(true);
            WalReceiver r = receiver.getNow(null);
            if (r != null) {
                r.close();
            }
        }
    }

    /**
     * {@code supplier} run on a daemon thread of its own, its outcome in the future (not the
     * common pool: it has one thread on 2 cores, and these tasks block on the network).
     */
    private static <T> CompletableFuture<T> onThread(String name, java.util.function.Supplier<T> supplier) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(supplier.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Archives the history file of the backup's timeline, which recovery needs to follow it. */
    private static void storeHistory(ReplicationConnection conn, WalArchive archive, long systemId, TimelineId timeline,
            long segmentSize) throws IOException {
        WalFileName name = WalFileName.parse(timeline.hex() + ".history", segmentSize);
        if (archive.find(systemId, name).isPresent()) {
            return;
        }
        Path tmp = Files.createTempFile("arca-", ".history");
        try {
            Files.write(tmp, conn.timelineHistory(timeline));
            archive.push(systemId, name, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Waits for the WAL stream to have archived everything up to the backup's stop position. */
    private static void awaitStreamed(CompletableFuture<Lsn> streaming) {
        try {
            streaming.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while streaming the backup's WAL", null, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ArcaException a) {
                throw a;
            }
            throw new ArcaException(ErrorCode.FAILURE, "streaming the backup's WAL failed: " + e.getCause(),
                    "check the server log; nothing was committed", e.getCause());
        }
    }

    /** Waits until archive_command stored every segment from start to stop. */
    private void awaitArchived(WalArchive archive, long systemId, TimelineId timeline, Lsn start, Lsn stop,
            long segmentSize, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long seg = start.segment(segmentSize); seg <= stop.segment(segmentSize); seg++) {
            WalFileName name = WalFileName.segment(timeline, seg, segmentSize);
            while (archive.find(systemId, name).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new ArcaException(ErrorCode.FAILURE, "WAL segment " + name.name() + " that the backup needs"
                            + " is not in the repository's WAL archive after " + timeout.toSeconds() + " s",
                            "set archive_command = 'arca wal-push %p --repo ...' on the server (archive_mode = on), or"
                                    + " take the backup with --wal stream; nothing was committed");
                }
                sleep(500);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for WAL archiving", null, e);
        }
    }

    private static String slotSuffix(PendingBackup pending) {
        return pending.id().value().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
