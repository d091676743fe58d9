package io.arca.postgres.logical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.SeekPoint;
import io.arca.core.repo.ArtifactParts;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.storage.ReadRange;
import io.arca.postgres.archive.ArchiveToc;
import io.arca.postgres.archive.TargetCatalog;
import io.arca.postgres.archive.TocEntry;
import io.arca.postgres.archive.UseList;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The check a table or schema restore makes before anything in the target changes: every table
 * and schema named is in the backup ({@link UseList}), and what will be restored with them. The
 * restore itself chooses the same entries again when it runs ({@code ArchiveRestore}), against
 * the target as it is then.
 */
final class TableSelection {
    private static final SeekPoint START = new SeekPoint("start", 0, 0);

    private TableSelection() {
    }

    /**
     * For a restore with {@code --table} or {@code --schema}: checks the names against the
     * backup's table of contents and notes what the restore brings back and how.
     *
     * @return the entries chosen against the target as it is now ({@code null} without tables or schemas)
     * @throws UsageException when a name is not in the backup, naming the backup and close matches
     */
    static UseList check(Repository repository, BackupManifest backup, ConnectionSettings target,
            LogicalRestoreOptions options, Progress progress) {
        if (options.tables().isEmpty() && options.schemas().isEmpty()) {
            return null;
        }
        ArchiveToc toc = toc(repository, backup);
        UseList list;
        try {
            list = select(toc, target, options);
        } catch (UsageException e) {
            throw new UsageException("backup '" + backup.backupId() + "': " + e.getMessage(), e.hint(), null);
        }
        boolean oneTransaction = options.clean() || options.jobs() == 1;
        progress.note("restoring " + list.describe() + (oneTransaction ? " in one transaction" : ""));
        if (oneTransaction && options.jobs() > 1) {
            progress.note("--jobs " + options.jobs() + " ignored: pg_restore runs one transaction with one job, so that"
                    + " a failure leaves the target's tables as they were");
        }
        return list;
    }

    /** The entries chosen against the target as it is; every object missing when the database is. */
    private static UseList select(ArchiveToc toc, ConnectionSettings target, LogicalRestoreOptions options) {
        Connection c;
        try {
            c = PgConnections.open(target);
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.PG_DATABASE_MISSING) {
                return UseList.select(toc, options.tables(), options.schemas(), TargetCatalog.EMPTY);
            }
            throw e;
        }
        try (c) {
            c.setAutoCommit(true);
            UseList list = UseList.select(toc, options.tables(), options.schemas(), TargetCatalog.of(c));
            if (options.clean()) {
                refuseBlockers(c, list, target);
            }
            return list;
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.PG_CONNECTION, "cannot look up the objects of '" + target.describe() + "': "
                    + e.getMessage(), "check that the server is running, then restore again", e);
        }
    }

    /**
     * Refuses a clean table restore whose drops would fail: foreign keys of the target's other
     * tables, and views, that depend on a table the restore drops but that the backup does not
     * hold (so the restore cannot re-create them). The restore would roll back anyway; this says
     * which objects, before anything (a safety backup) is done.
     */
    private static void refuseBlockers(Connection c, UseList list, ConnectionSettings target) throws SQLException {
        java.util.Set<String> restored = new java.util.HashSet<>();
        java.util.Set<String> dropped = new java.util.HashSet<>();
        for (TocEntry e : list.entries()) {
            restored.add(e.desc() + " " + e.namespace() + " " + e.tag());
            if (e.is("TABLE") || e.is("MATERIALIZED VIEW") || e.is("VIEW")) {
                dropped.add(e.namespace() + "." + e.tag());
            }
        }
        String sql = """
                select 'FK CONSTRAINT', n.nspname, r.relname || ' ' || k.conname,
                       'foreign key ' || k.conname || ' of ' || k.conrelid::regclass, n.nspname || '.' || r.relname
                  from pg_constraint k join pg_class r on r.oid = k.conrelid join pg_namespace n on n.oid = r.relnamespace
                 where k.contype = 'f' and k.conrelid <> k.confrelid
                   and k.confrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?))
                union
                select case v.relkind when 'm' then 'MATERIALIZED VIEW' else 'VIEW' end, n.nspname, v.relname,
                       'view ' || v.oid::regclass, n.nspname || '.' || v.relname
                  from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
                  join pg_namespace n on n.oid = v.relnamespace
                 where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
                   and d.refobjid = to_regclass(quote_ident(?) || '.' || quote_ident(?)) and v.oid <> d.refobjid
                """;
        java.util.Set<String> blockers = new java.util.TreeSet<>();
        for (TocEntry e : list.entries()) {
            if (!e.is("TABLE")) {
                continue;
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, e.namespace());
                ps.setString(2, e.tag());
                ps.setString(3, e.namespace());
                ps.setString(4, e.tag());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String entry = rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
                        boolean goesWithItsTable = rs.getString(1).equals("FK CONSTRAINT") && dropped.contains(rs.getString(5));
                        if (!restored.contains(entry) && !goesWithItsTable) {
                            blockers.add(rs.getString(4) + " (on " + UseList.qualified(e) + ")");
                        }
                    }
                }
            }
        }
        if (!blockers.isEmpty()) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot replace the tables in '" + target.describe() + "': "
                    + String.join(", ", blockers) + " depend" + (blockers.size() == 1 ? "s" : "")
                    + " on them and " + (blockers.size() == 1 ? "is" : "are") + " not in the backup",
                    "drop " + (blockers.size() == 1 ? "it" : "them") + " first (and re-create after), or restore into"
                            + " another database without --clean");
        }
    }

    /** The header and TOC from the start of the backup's dump (custom), or its {@code toc.dat} (directory). */
    static ArchiveToc toc(Repository repository, BackupManifest backup) {
        List<ArtifactRecord> artifacts = LogicalRestore.databaseArtifacts(backup);
        ArtifactRecord first = artifacts.get(0);
        boolean directory = LogicalRestore.formatOf(backup) == DumpFormat.DIRECTORY;
        ArtifactRecord tocArtifact = !directory ? first : artifacts.stream()
                .filter(a -> a.name().endsWith("/toc.dat")).findFirst()
                .orElseThrow(() -> new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup '" + backup.backupId()
                        + "' has no toc.dat", "the backup is damaged; restore another one"));
        // only the structure, to check names: the restore itself reads through the whole-artifact check
        try (ArtifactParts parts = repository.openParts(backup, tocArtifact);
                InputStream in = parts.peek(START, ReadRange.TO_END)) {
            return directory ? ArchiveToc.readTocDat(in) : ArchiveToc.read(in);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.STORAGE_ACCESS, "cannot read the table of contents of backup '"
                    + backup.backupId() + "': " + e.getMessage(), "check the repository, then restore again", e);
        }
    }
}
