package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.app.catalog.BackupCatalogService;
import io.arca.app.catalog.BackupDetail;
import io.arca.app.json.AppJson;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.storage.Storage;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca show}: one backup in detail. */
@Command(name = "show", description = "Show one backup: database (or cluster, WAL range and tablespaces), artifacts, tables and row counts.",
        mixinStandardHelpOptions = true)
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "ID", description = "Backup id, a unique prefix of one, or 'latest'.")
    String id;

    @Override
    public Integer call() {
        try (Storage storage = repository.openStorage()) {
            BackupDetail detail = new BackupCatalogService().show(repository.open(storage), id);
            BackupManifest m = detail.manifest();
            if (output.json()) {
                root.out.println(AppJson.write(detail));
                root.out.flush();
                return 0;
            }
            PrintWriter out = root.out;
            out.println("backup      " + m.backupId());
            out.println("kind        " + detail.summary().kind());
            out.println("started     " + Text.time(m.startedAt()));
            out.println("finished    " + Text.time(m.finishedAt()) + " (" + Text.duration(m.duration()) + ")");
            out.println("size        " + Text.bytes(m.size()) + " (stored " + Text.bytes(m.storedSize()) + ")");
            for (io.arca.app.catalog.RecoveryWindow w : detail.recoverable()) {
                out.println("recoverable timeline " + w.timeline() + " from " + Text.time(w.from()) + " to "
                        + Text.time(w.to()) + " (WAL through " + w.lastSegment() + ")");
            }
            if (!m.labels().isEmpty()) {
                out.println("labels      " + m.labels());
            }
            out.println("tools       " + m.tools());
            m.artifacts().stream().filter(ArtifactRecord::encrypted).map(ArtifactRecord::encryption).findFirst()
                    .ifPresent(e -> out.println("encryption  OpenPGP " + e.cipher() + " with " + e.integrity() + ", "
                            + (e.recipients().isEmpty() ? "" : "to " + String.join(", ", e.recipients()))
                            + (e.passphrase() ? (e.recipients().isEmpty() ? "" : " and ") + "with the passphrase" : "")
                            + " (" + m.artifacts().stream().filter(ArtifactRecord::encrypted).count() + " of "
                            + m.artifacts().size() + " artifacts)"));
            PostgresSection.Details details = PostgresSection.details(m);
            PostgresSection.DatabaseInfo db = details == null ? null : details.database();
            PostgresSection.PhysicalInfo p = details == null ? null : details.physical();
            if (p != null) {
                out.println("cluster     " + db.host() + " (PostgreSQL " + db.serverVersion() + ")");
                out.println("system id   " + p.systemIdentifier());
                out.println("timeline    " + p.timeline());
                out.println("wal         " + p.startLsn() + " to " + p.stopLsn() + " (" + p.startWal()
                        + (p.startWal().equals(p.stopWal()) ? "" : " to " + p.stopWal()) + ", " + p.walMode() + ")");
                out.println("ended       " + Text.time(p.stopTime()) + " (a recovery target must be later)");
                for (PostgresSection.TablespaceInfo t : p.tablespaces()) {
                    out.println("tablespace  " + t.oid() + " at " + t.location() + " (" + t.artifact() + ")");
                }
                out.println("checksums   " + (p.manifestArtifact() == null ? "-"
                        : p.manifestChecksums() + " per file in " + p.manifestArtifact()));
            } else if (db != null) {
                out.println("database    " + db.name() + " on " + db.host() + " (PostgreSQL " + db.serverVersion()
                        + ", encoding " + db.encoding() + ")");
                if (m.partial()) {
                    out.println("partial     yes: only " + db.selection().describe() + " (never 'latest' of a full"
                            + " restore; does not count for the RPO)");
                }
                out.println("system id   " + (db.systemIdentifier() == null ? "-" : db.systemIdentifier()));
                if (db.startLsn() != null) {
                    out.println("lsn         " + db.startLsn());
                }
                out.println("migration   " + (db.migration() == null ? "-"
                        : db.migration().tool() + " " + db.migration().version()));
            }
            for (io.arca.core.source.Section section : m.sections()) {
                if (!section.source().startsWith("postgresql.")) {
                    out.println("section     " + section.source() + " " + section.subject() + " ("
                            + section.artifacts().size() + " artifact" + (section.artifacts().size() == 1 ? "" : "s")
                            + "; 'arca restore " + m.backupId() + " --list' shows what it holds)");
                }
            }
            out.println();
            Text.Table artifacts = new Text.Table("ARTIFACT", "FORMAT", "SIZE", "STORED", "CODEC", "SHA-256");
            for (ArtifactRecord a : m.artifacts()) {
                artifacts.row(a.file(), a.format(), Text.bytes(a.size()), Text.bytes(a.storedSize()),
                        String.join("+", a.codecs()), a.sha256() == null ? "(per file: backup_manifest)"
                                : a.sha256().substring(0, 16) + "…");
            }
            artifacts.print(out);
            if (db != null && !db.tables().isEmpty()) {
                out.println();
                Text.Table tables = new Text.Table("TABLE", "ROWS");
                for (PostgresSection.TableInfo t : db.tables()) {
                    tables.row(t.schema() + "." + t.name(), t.rows());
                }
                tables.print(out);
            }
            out.flush();
        }
        return 0;
    }
}
