package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.EncryptionHistory;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.postgres.wal.WalCoverage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code arca list}: complete backups, newest first. */
@Command(name = "list", description = {"List complete backups, newest first, and damaged ones (a manifest that"
        + " cannot be read or trusted) marked DAMAGED.",
        "With physical backups, also the recoverable window of each timeline: from the end of the oldest backup"
                + " whose WAL runs unbroken to when the last segment of that run was archived."},
        mixinStandardHelpOptions = true)
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            Repository.Catalog catalog = repo.catalog();
            List<WalCoverage.Window> windows = windows(storage, catalog.backups());
            EncryptionHistory encryption = EncryptionHistory.of(repo.config(), catalog.backups());
            if (output.json()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (BackupManifest m : catalog.backups()) {
                    Map<String, Object> row = summary(m);
                    List<Map<String, Object>> from = new ArrayList<>();
                    for (WalCoverage.Window w : windows) {
                        if (w.backupId().equals(m.backupId())) {
                            Map<String, Object> j = new LinkedHashMap<>();
                            j.put("timeline", w.timeline().value());
                            j.put("from", w.from().toString());
                            j.put("to", w.to().toString());
                            j.put("lastSegment", w.lastSegment().name());
                            from.add(j);
                        }
                    }
                    if (!from.isEmpty()) {
                        row.put("recoverable", from);
                    }
                    if (!encryption.warnings(m).isEmpty()) {
                        row.put("encryptionWarnings", encryption.warnings(m));
                    }
                    rows.add(row);
                }
                for (Repository.Damaged d : catalog.damaged()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", d.id());
                    row.put("folder", d.folder());
                    row.put("damaged", true);
                    row.put("problem", d.problem());
                    rows.add(row);
                }
                Text.json(root.out, rows);
                printWarnings(encryption, catalog.backups());
                return 0;
            }
            if (catalog.backups().isEmpty() && catalog.damaged().isEmpty()) {
                root.out.println("no backups in " + storage.url());
            } else {
                Text.Table t = new Text.Table("ID", "STARTED", "KIND", "DATABASE", "SIZE", "STORED", "DURATION", "LABELS");
                for (BackupManifest m : catalog.backups()) {
                    PostgresSection.Details details = PostgresSection.details(m);
                    PostgresSection.DatabaseInfo db = details == null ? null : details.database();
                    t.row(m.backupId(), Text.time(m.startedAt()), Sections.kind(m),
                            details != null && details.physical() != null ? "(cluster)"
                                    : db == null ? Sections.subjects(m)
                                    : db.name() + (m.partial() ? " (partial)" : "")
                                            + (m.sections().size() > 1 ? " +" + Sections.others(m) : ""),
                            Text.bytes(m.size()),
                            Text.bytes(m.storedSize()), Text.duration(m.duration()), labels(m));
                }
                for (Repository.Damaged d : catalog.damaged()) {
                    t.row(d.id() != null ? d.id() : d.folder(), d.id() != null
                            ? Text.time(new io.arca.core.repo.BackupId(d.id()).startTime()) : null, "DAMAGED", null, null,
                            null, null, null);
                }
                t.print(root.out);
            }
            for (WalCoverage.Window w : windows) {
                root.out.println("recoverable: timeline " + w.timeline().value() + " from " + Text.time(w.from()) + " to "
                        + Text.time(w.to()) + " (WAL through " + w.lastSegment().name() + ", starting from backup "
                        + w.backupId() + ")");
            }
            if (!catalog.incomplete().isEmpty()) {
                root.err.println("note: " + catalog.incomplete().size()
                        + " incomplete backup folder(s) without a manifest are not listed (interrupted backups)");
            }
            for (Repository.Damaged d : catalog.damaged()) {
                root.err.println("warning: backup " + (d.id() != null ? d.id() : "folder " + d.folder()) + " is damaged: "
                        + d.problem() + "; it is never restored as latest nor removed by prune (check it with 'arca verify')");
            }
            printWarnings(encryption, catalog.backups());
            root.out.flush();
        }
        return 0;
    }

    /**
     * The recoverable window of each timeline of each cluster with physical backups: from the
     * backup's end to when the last segment of the unbroken WAL after it was archived.
     */
    private static List<WalCoverage.Window> windows(Storage storage, List<BackupManifest> backups) {
        Map<String, Long> segmentSizes = new LinkedHashMap<>();
        for (BackupManifest m : backups) {
            PostgresSection.PhysicalInfo p = PostgresSection.physical(m);
            if (p != null) {
                segmentSizes.putIfAbsent(p.systemIdentifier(), p.walSegmentSize());
            }
        }
        List<WalCoverage.Window> windows = new ArrayList<>();
        segmentSizes.forEach((system, size) -> windows.addAll(
                WalCoverage.scan(storage, Long.parseUnsignedLong(system), size).windows(backups)));
        return windows;
    }

    /** Backups whose encryption differs from the repository's history, and an arca.json that changed. */
    private void printWarnings(EncryptionHistory encryption, List<BackupManifest> backups) {
        encryption.repositoryWarnings().forEach(w -> root.err.println("warning: " + w));
        backups.forEach(m -> encryption.warnings(m).forEach(w -> root.err.println("warning: " + w)));
        root.err.flush();
    }

    static Map<String, Object> summary(BackupManifest m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", m.backupId());
        r.put("kind", Sections.kind(m));
        r.put("startedAt", m.startedAt().toString());
        r.put("finishedAt", m.finishedAt().toString());
        r.put("durationMillis", m.duration().toMillis());
        PostgresSection.Details details = PostgresSection.details(m);
        r.put("database", details == null || details.database() == null ? null : details.database().name());
        r.put("partial", m.partial());
        r.put("size", m.size());
        r.put("storedSize", m.storedSize());
        r.put("labels", m.labels());
        List<Map<String, Object>> sections = new ArrayList<>();
        for (io.arca.core.source.Section s : m.sections()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("source", s.source());
            j.put("subject", s.subject() == null ? null : s.subject().uri());
            sections.add(j);
        }
        r.put("sections", sections);
        PostgresSection.PhysicalInfo p = details == null ? null : details.physical();
        if (p != null) {
            r.put("systemIdentifier", p.systemIdentifier());
            r.put("timeline", p.timeline());
            r.put("startLsn", p.startLsn());
            r.put("stopLsn", p.stopLsn());
        }
        return r;
    }

    private static String labels(BackupManifest m) {
        if (m.labels().isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        m.labels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        });
        return sb.toString();
    }
}
