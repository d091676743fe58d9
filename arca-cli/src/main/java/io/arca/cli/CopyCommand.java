package io.arca.cli;

import io.arca.app.repo.OpenRepository;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.repo.BackupCopy;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.storage.StorageUrl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca copy}: an existing backup into another repository (an off-site copy). */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy backups to another repository as stored (no recompression): artifacts first, each"
                + " checked against the manifest and read back, then the manifest, so an interrupted copy is never listed.",
                "A backup already present at the destination is skipped. With --all, damaged backups (a manifest that"
                        + " cannot be trusted) are not copied and the copy exits 15 after copying the others."})
final class CopyCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    OutputOptions output;
    @Mixin
    ProgressOptions progressOptions;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "Backup id, prefix, 'latest' or 'latest~N' (the N-th"
            + " before the newest; default: latest).")
    String id;

    @Option(names = "--all", description = "Copy every complete backup the destination does not have yet.")
    boolean all;

    @Option(names = "--from", paramLabel = "URL", required = true, description = "Source repository.")
    String from;

    @Option(names = "--to", paramLabel = "URL", required = true, description = "Destination repository (initialised with 'arca init').")
    String to;

    @Override
    public Integer call() {
        if (all && id != null) {
            throw new UsageException("give either a backup id or --all, not both");
        }
        StorageUrl source = StorageUrl.parse(from);
        StorageUrl target = StorageUrl.parse(to);
        if (source.equals(target)) {
            throw new UsageException("--from and --to name the same repository '" + source + "'");
        }
        ConsoleProgress progress = progressOptions.open(root.err);
        List<Map<String, Object>> results = new ArrayList<>();
        List<Repository.Damaged> damaged = new ArrayList<>();
        try (OpenRepository src = OpenRepository.open(source, LeaseMode.SHARED, "copy");
                OpenRepository dst = OpenRepository.open(target, LeaseMode.SHARED, "copy")) {
            Repository.Catalog catalog = all ? src.repository().catalog() : null;
            if (all) {
                damaged.addAll(catalog.damaged());
            }
            List<BackupManifest> backups = new ArrayList<>(all ? catalog.backups()
                    : List.of(src.repository().resolve(id == null ? "latest" : id)));
            Collections.reverse(backups); // oldest first, like the original order of taking them
            for (BackupManifest m : backups) {
                if (PostgresSection.kind(m) == io.arca.postgres.manifest.BackupKind.PHYSICAL) {
                    // its files alone cannot become consistent: the WAL archive would have to be copied too
                    if (!all) {
                        throw new UsageException("backup " + m.backupId() + " is physical: copying physical"
                                + " backups and the WAL they need is not supported yet");
                    }
                    root.err.println("note: skipped physical backup " + m.backupId() + " (copying physical backups and"
                            + " their WAL is not supported yet)");
                    continue;
                }
                BackupCopy.Outcome outcome = BackupCopy.copy(src.repository(), dst.repository(), m, progress);
                progress.done();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("backup", m.backupId());
                r.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
                r.put("storedSize", m.storedSize());
                results.add(r);
                if (!output.json()) {
                    root.out.println((outcome == BackupCopy.Outcome.COPIED ? "copied " : "already present ") + m.backupId()
                            + " (" + Text.bytes(m.storedSize()) + ") to " + target);
                    root.out.flush();
                }
            }
        } finally {
            progress.done();
        }
        if (output.json()) {
            Text.json(root.out, results);
        }
        if (!damaged.isEmpty()) {
            Repository.Damaged d = damaged.get(0);
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, damaged.size() + " damaged backup(s) not copied: '"
                    + (d.id() != null ? d.id() : d.folder()) + "': " + d.problem()
                    + (damaged.size() > 1 ? " (and " + (damaged.size() - 1) + " more)" : ""),
                    "check them with 'arca verify --all --repo " + source + "'");
        }
        return 0;
    }
}
