package io.arca.cli;

import io.arca.app.catalog.BackupCatalogService;
import io.arca.app.catalog.BackupListing;
import io.arca.app.catalog.BackupSummary;
import io.arca.app.catalog.DamagedBackup;
import io.arca.app.catalog.RecoveryWindow;
import io.arca.app.json.AppJson;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

    @Option(names = "--subject", paramLabel = "NAME",
            description = "Only the backups of this subject (label subject=NAME, else the database's name).")
    String subject;

    @Override
    public Integer call() {
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage);
            BackupListing listing = new BackupCatalogService().list(repo, subject);
            if (output.json()) {
                List<Object> rows = new ArrayList<>(listing.backups());
                rows.addAll(listing.damaged());
                root.out.println(AppJson.write(rows));
                root.out.flush();
                printWarnings(listing);
                return 0;
            }
            if (listing.backups().isEmpty() && listing.damaged().isEmpty()) {
                root.out.println("no backups in " + storage.url() + (subject == null ? "" : " of '" + subject + "'"));
            } else {
                Text.Table t = new Text.Table("ID", "STARTED", "KIND", "DATABASE", "SIZE", "STORED", "DURATION", "LABELS");
                for (BackupSummary b : listing.backups()) {
                    t.row(b.id(), Text.time(b.startedAt()), b.kind(), database(b), Text.bytes(b.size()),
                            Text.bytes(b.storedSize()), Text.duration(Duration.ofMillis(b.durationMillis())),
                            labels(b.labels()));
                }
                for (DamagedBackup d : listing.damaged()) {
                    t.row(d.id() != null ? d.id() : d.folder(), d.id() != null
                            ? Text.time(new io.arca.core.repo.BackupId(d.id()).startTime()) : null, "DAMAGED", null, null,
                            null, null, null);
                }
                t.print(root.out);
            }
            for (RecoveryWindow w : listing.windows()) {
                root.out.println("recoverable: timeline " + w.timeline() + " from " + Text.time(w.from()) + " to "
                        + Text.time(w.to()) + " (WAL through " + w.lastSegment() + ", starting from backup "
                        + w.backupId() + ")");
            }
            if (!listing.incomplete().isEmpty()) {
                root.err.println("note: " + listing.incomplete().size()
                        + " incomplete backup folder(s) without a manifest are not listed (interrupted backups)");
            }
            for (DamagedBackup d : listing.damaged()) {
                root.err.println("warning: backup " + (d.id() != null ? d.id() : "folder " + d.folder()) + " is damaged: "
                        + d.problem() + "; it is never restored as latest nor removed by prune (check it with 'arca verify')");
            }
            printWarnings(listing);
            root.out.flush();
        }
        return 0;
    }

    /** The DATABASE column: the database, {@code (cluster)} for a physical backup, else the sections' subjects. */
    private static String database(BackupSummary b) {
        if (b.systemIdentifier() != null) {
            return "(cluster)";
        }
        if (b.database() == null) {
            return b.sections().stream().map(s -> s.subject() == null ? s.source()
                    : new io.arca.core.source.Subject(s.subject()).name()).distinct()
                    .collect(java.util.stream.Collectors.joining(","));
        }
        String others = b.sections().stream().filter(s -> !s.source().startsWith("postgresql."))
                .map(s -> s.subject() == null ? s.source() : new io.arca.core.source.Subject(s.subject()).name())
                .distinct().collect(java.util.stream.Collectors.joining(","));
        return b.database() + (b.partial() ? " (partial)" : "") + (b.sections().size() > 1 ? " +" + others : "");
    }

    /** Backups whose encryption differs from the repository's history, and an arca.json that changed. */
    private void printWarnings(BackupListing listing) {
        listing.repositoryWarnings().forEach(w -> root.err.println("warning: " + w));
        listing.backups().forEach(b -> b.encryptionWarnings().forEach(w -> root.err.println("warning: " + w)));
        root.err.flush();
    }

    /** A backup's summary as {@code arca list -o json} and {@code arca backup -o json} print it. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> summary(BackupManifest m) {
        return AppJson.mapper().convertValue(BackupSummary.of(m), Map.class);
    }

    private static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        });
        return sb.toString();
    }
}
