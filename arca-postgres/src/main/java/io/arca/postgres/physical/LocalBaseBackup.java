package io.arca.postgres.physical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository.PendingBackup;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.replication.BackupEnd;
import io.arca.postgres.replication.SystemIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base backup that reads the files from the data directory itself ({@code backup --physical
 * --pgdata DIR}), as pgBackRest does, instead of receiving them from the server's WAL sender:
 * Arca runs on the database host (or shares its volume) and the single WAL sender process no
 * longer bounds the backup.
 *
 * <p>The server still takes part as in any online backup: {@code pg_backup_start} (PostgreSQL
 * 15+, {@code pg_start_backup(label, fast, false)} before) on a SQL session of its own that stays
 * open until {@code pg_backup_stop} ({@code pg_stop_backup(false, wait)}), whose {@code
 * backup_label} and {@code tablespace_map} go into the data directory's tar. If Arca dies, the
 * session ends and the server ends the backup. The artifacts are the ones a backup over the
 * replication protocol stores ({@code base}, one per tablespace, {@code backup_manifest}), so
 * restore, verify and a restore by hand with {@code tar} work the same; the {@code
 * backup_manifest} is written by Arca in PostgreSQL's format from the checksums taken while the
 * files were read (see {@link DataDirectoryReader}).
 *
 * <p>Needs: {@code --pgdata} to be the data directory of the server {@code --db} connects to
 * (checked with the system identifier in {@code global/pg_control}), readable by Arca's user,
 * and the right to run {@code pg_backup_start} and {@code pg_backup_stop} (superusers, or
 * granted).
 */
final class LocalBaseBackup {
    private static final Pattern START_TIMELINE = Pattern.compile("(?m)^START TIMELINE: ([0-9]+)$");

    private final PhysicalBackup owner;
    private final PendingBackup pending;
    private final PhysicalBackupOptions options;
    private final PhysicalBackup.WalStream wal;

    LocalBaseBackup(PhysicalBackup owner, PendingBackup pending, PhysicalBackupOptions options,
            PhysicalBackup.WalStream wal) {
        this.owner = owner;
        this.pending = pending;
        this.options = options;
        this.wal = wal;
    }

    /** What {@code pg_backup_stop} returns. */
    private record Stop(Lsn lsn, String labelFile, String tablespaceMap) {
    }

    PhysicalBackup.Taken take(PhysicalBackup.Connections connections, SystemIdentity identity, int versionNum,
            String label) throws IOException {
        ConnectionSettings db = connections.db();
        Path pgdata = options.dataDirectory();
        PgControl control = DataDirectoryReader.control(pgdata);
        if (control.systemIdentifier() != identity.systemId()) {
            throw new ArcaException(ErrorCode.USAGE, "'" + pgdata + "' is the data directory of system "
                    + Long.toUnsignedString(control.systemIdentifier()) + ", not of the server at " + db.describe()
                    + " (system " + Long.toUnsignedString(identity.systemId()) + ")",
                    "give --pgdata the data directory of the server --db connects to (SHOW data_directory)");
        }
        String versionDirectory = DataDirectoryReader.tablespaceDirectory(pgdata, control);
        String algorithm = options.manifestChecksums() == null ? "NONE" : options.manifestChecksums();
        long[] total = {0};
        DataDirectoryReader reader = new DataDirectoryReader(pgdata, algorithm, n -> {
            // a failed WAL stream stops the backup at once, not after the last file
            wal.check();
            owner.progress().bytes("base backup", n, total[0]);
        });
        try (Connection sql = connections.sql()) {
            Lsn start = startBackup(sql, versionNum, label);
            owner.progress().note("backup started at " + start + " on timeline " + identity.timeline().value()
                    + "; reading the files from " + pgdata);
            wal.start(start);
            PageChecksums pages = pageChecksums(sql, start);
            if (pages != null) {
                owner.progress().note("the cluster has data checksums: checking every page read, as the server does");
                reader.checkPages(pages);
            }
            List<DataDirectoryReader.Tablespace> spaces = reader.tablespaces();
            List<List<DataDirectoryReader.Member>> spaceMembers = new ArrayList<>();
            for (DataDirectoryReader.Tablespace t : spaces) {
                spaceMembers.add(reader.scanTablespace(t.location(), versionDirectory));
            }
            List<DataDirectoryReader.Member> baseMembers = reader.scanDataDirectory();
            total[0] = size(baseMembers) + spaceMembers.stream().mapToLong(LocalBaseBackup::size).sum();
            List<ArtifactRecord> artifacts = new ArrayList<>();
            List<PostgresSection.TablespaceInfo> tablespaces = new ArrayList<>();
            for (int i = 0; i < spaces.size(); i++) {
                DataDirectoryReader.Tablespace t = spaces.get(i);
                List<DataDirectoryReader.Member> members = spaceMembers.get(i);
                String name = PhysicalArtifacts.tablespace(t.oid());
                artifacts.add(owner.store(pending, name, "tar", options, out -> {
                    TarWriter tar = new TarWriter(out);
                    reader.write(members, ManifestCheck.tablespacePrefix(t.oid()), tar);
                    tar.finish();
                }));
                tablespaces.add(new PostgresSection.TablespaceInfo(t.oid(), t.location().toString(), name));
            }
            Stop[] stop = new Stop[1];
            artifacts.add(owner.store(pending, PhysicalArtifacts.BASE, "tar", options, out -> {
                TarWriter tar = new TarWriter(out);
                reader.write(baseMembers, "", tar);
                if (pages != null) {
                    // before the stop: the session's end ends the server's backup too
                    pages.requireNone();
                }
                stop[0] = stopBackup(sql, versionNum);
                Instant now = owner.repository().clock().instant();
                reader.writeFile("backup_label", stop[0].labelFile().getBytes(StandardCharsets.UTF_8), now, tar);
                if (stop[0].tablespaceMap() != null) {
                    // as the server sends it with TABLESPACE_MAP: always, empty without tablespaces
                    reader.writeFile("tablespace_map", stop[0].tablespaceMap().getBytes(StandardCharsets.UTF_8), now,
                            tar);
                }
                tar.finish();
            }));
            Instant stopTime = owner.repository().clock().instant();
            owner.progress().bytes("base backup", reader.bytesRead(), total[0]);
            TimelineId timeline = timeline(stop[0].labelFile(), identity.timeline());
            if (options.manifestChecksums() != null) {
                byte[] manifest = ManifestWriter.write(versionNum >= 170000 ? 2 : 1, identity.systemId(), reader.files(),
                        List.of(new ServerManifest.WalRange(timeline, start, stop[0].lsn())));
                artifacts.add(owner.store(pending, PhysicalArtifacts.MANIFEST, "backup_manifest", options,
                        out -> out.write(manifest)));
            }
            owner.progress().note("read " + reader.files().size() + " files from " + pgdata
                    + (pages == null ? "" : "; " + pages.checked() + " data pages passed their checksum check"));
            return new PhysicalBackup.Taken(start, timeline, new BackupEnd(stop[0].lsn(), timeline), stopTime,
                    artifacts, tablespaces);
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "the base backup failed: " + e.getMessage(),
                    "check the server log; nothing was committed (the server ends the backup with the session)", e);
        }
    }

    /** {@code pg_backup_start}: waits for the checkpoint; returns the backup's start position. */
    private Lsn startBackup(Connection sql, int versionNum, String label) throws SQLException {
        String call = versionNum >= 150000 ? "SELECT pg_backup_start(?, ?)::text" : "SELECT pg_start_backup(?, ?, false)::text";
        try (PreparedStatement st = sql.prepareStatement(call)) {
            st.setString(1, label);
            st.setBoolean(2, options.fastCheckpoint());
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return Lsn.parse(r.getString(1));
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                String fn = versionNum >= 150000 ? "pg_backup_start(text, boolean), pg_backup_stop(boolean)"
                        : "pg_start_backup(text, boolean, boolean), pg_stop_backup(boolean, boolean)";
                throw new ArcaException(ErrorCode.USAGE, "user '" + sql.getMetaData().getUserName()
                        + "' may not start a backup with " + fn.substring(0, fn.indexOf('(')) + ": " + e.getMessage(),
                        "GRANT EXECUTE ON FUNCTION " + fn + " TO that user, use a superuser, or leave out --pgdata", e);
            }
            throw e;
        }
    }

    /** The page checks for a cluster with data checksums, null without them. */
    private static PageChecksums pageChecksums(Connection sql, Lsn start) throws SQLException {
        try (PreparedStatement st = sql.prepareStatement("SELECT current_setting('data_checksums'),"
                + " current_setting('block_size')::int, (SELECT setting::bigint FROM pg_settings"
                + " WHERE name = 'segment_size')"); ResultSet r = st.executeQuery()) {
            r.next();
            return "on".equals(r.getString(1)) ? new PageChecksums(r.getInt(2), r.getLong(3), start) : null;
        }
    }

    /** {@code pg_backup_stop}: ends the backup; with {@code --wal archive} the server waits for its archiving. */
    private Stop stopBackup(Connection sql, int versionNum) {
        String call = versionNum >= 150000 ? "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(?)"
                : "SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, ?)";
        try (PreparedStatement st = sql.prepareStatement(call)) {
            st.setBoolean(1, options.walMode() == PhysicalBackupOptions.WalMode.ARCHIVE);
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return new Stop(Lsn.parse(r.getString(1)), r.getString(2), r.getString(3));
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "ending the backup failed: " + e.getMessage(),
                    "check the server log; nothing was committed", e);
        }
    }

    /** The label's {@code START TIMELINE}, or {@code fallback} when it has none. */
    static TimelineId timeline(String labelFile, TimelineId fallback) {
        Matcher m = START_TIMELINE.matcher(labelFile);
        return m.find() ? new TimelineId(Long.parseLong(m.group(1))) : fallback;
    }

    private static long size(List<DataDirectoryReader.Member> members) {
        long total = 0;
        for (DataDirectoryReader.Member m : members) {
            total += m.size();
        }
        return total;
    }
}
