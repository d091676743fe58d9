package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.UsageException;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.EncryptionHistory;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.logical.LogicalVerifier;
import io.arca.postgres.logical.VerifyReport;
import io.arca.postgres.physical.PhysicalVerifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.source.Section;
import io.arca.core.source.VerifyContext;
import picocli.CommandLine.ParentCommand;

/** {@code arca verify}: integrity of backups without restoring them. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check backups without restoring: sizes and SHA-256 of every artifact, codec,"
                + " archive structure and pg_restore --list.",
                "Physical backups: every file in the tars against the server's backup_manifest (as pg_verifybackup),"
                        + " and the WAL from the backup's start to the newest archived segment on each timeline: no"
                        + " segment missing (the first missing one is named), each matching its SHA-256 and the"
                        + " cluster's system identifier.",
                "With --repo given more than once, the same backup is checked in every repository (its off-site copies).",
                "Exits 15 naming the first bad artifact, or a backup whose manifest cannot be trusted (unreadable, naming"
                        + " another backup, an unknown format, artifact paths outside its folder).",
                "Encrypted artifacts are decrypted and checked through when --private-key or --passphrase-file (or"
                        + " ARCA_PRIVATE_KEY / ARCA_PASSPHRASE) is given; without a key only their stored size and"
                        + " SHA-256 are checked.",
                "Custom and directory format: every table's rows are recounted from the backup's data and must"
                        + " match the manifest (plain backups say they were not recounted).",
                "A backup whose encryption differs from what the repository required when its earlier backups"
                        + " were written (arca.json edited to drop the requirement or swap a key) fails as well.",
                "'latest' is the newest full backup: partial ones (--table/--schema/--exclude-table) are verified"
                        + " by id or with --all."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;
    @Mixin
    PostgresOptions postgres;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "Backup id, prefix, 'latest' or 'latest~N' (the N-th"
            + " before the newest; default: latest).")
    String id;

    @Option(names = "--all", description = "Verify every complete backup.")
    boolean all;

    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        if (all && id != null) {
            throw new UsageException("give either a backup id or --all, not both");
        }
        ConsoleProgress progress = progressOptions.open(root.err);
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        List<StorageUrl> urls = repository.urls();
        List<VerifyReport> reports = new ArrayList<>();
        List<Map<String, Object>> perRepository = new ArrayList<>();
        // "latest" or a prefix is resolved in the first repository; copies are checked for that same backup
        String ref = id == null ? "latest" : id;
        String intactBefore = null;
        try {
            for (StorageUrl url : urls) {
                try (Storage storage = Storages.open(url)) {
                    Repository repo = repository.open(storage).withKeys(null, keys);
                    Repository.Catalog catalog = all ? repo.catalog() : null;
                    List<BackupManifest> targets = all ? catalog.backups() : List.of(repo.resolve(ref));
                    if (!all) {
                        ref = targets.get(0).backupId();
                    }
                    if (urls.size() > 1 && !output.json()) {
                        root.out.println("repository " + url);
                    }
                    EncryptionHistory encryption = EncryptionHistory.of(repo.config(), all ? targets : repo.list());
                    encryption.repositoryWarnings().forEach(w -> root.err.println("warning: " + w));
                    LogicalVerifier verifier = new LogicalVerifier(repo, postgres.binaries(), progress);
                    PhysicalVerifier physical = new PhysicalVerifier(repo, progress);
                    List<VerifyReport> here = new ArrayList<>();
                    if (all) {
                        // a backup whose manifest cannot be trusted fails without reading anything else
                        for (Repository.Damaged d : catalog.damaged()) {
                            VerifyReport r = new VerifyReport(d.id() != null ? d.id() : d.folder(), List.of(
                                    new VerifyReport.ArtifactCheck(Repository.MANIFEST_FILE, false, List.of("manifest"),
                                            d.problem())));
                            here.add(r);
                            if (!output.json()) {
                                print(r);
                            }
                        }
                    }
                    for (BackupManifest m : targets) {
                        VerifyReport r = (PostgresSection.physical(m) != null ? physical.verify(m) : verifier.verify(m));
                        if (r.ok()) {
                            r = r.with(sectionChecks(repo, m, progress));
                        }
                        r = r.withEncryptionWarnings(encryption.warnings(m));
                        progress.done();
                        if (!all && !r.ok() && intactBefore == null) {
                            intactBefore = repo.newestIntactBefore(m).map(BackupManifest::backupId).orElse("");
                        }
                        here.add(r);
                        if (!output.json()) {
                            print(r);
                        }
                    }
                    reports.addAll(here);
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("repository", url.toString());
                    entry.put("reports", here);
                    perRepository.add(entry);
                }
            }
        } finally {
            progress.done();
        }
        if (output.json()) {
            Text.json(root.out, urls.size() > 1 ? perRepository : reports);
        }
        VerifyReport bad = reports.stream().filter(r -> !r.ok()).findFirst().orElse(null);
        if (bad != null) {
            VerifyReport.ArtifactCheck first = bad.artifacts().stream().filter(c -> !c.ok()).findFirst().orElseThrow();
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup '" + bad.backupId() + "' failed verification: "
                    + (first.name().startsWith("WAL ") || first.name().startsWith("section ")
                            || first.name().equals(VerifyReport.ENCRYPTION) ? first.name()
                            : "artifact '" + first.name() + "'") + ": "
                    + first.problem(),
                    "do not rely on this backup; " + (intactBefore == null || intactBefore.isEmpty()
                            ? "restore an older one" : "the newest backup before it that verifies is '" + intactBefore
                            + "'") + ", and take a new backup");
        }
        return 0;
    }

    /**
     * The checks of each section of a source other than PostgreSQL's (whose artifacts the verifier
     * above checked): the source's own reading of its artifacts, or a note when this Arca does not
     * know the source or has no key to read them.
     */
    static List<VerifyReport.ArtifactCheck> sectionChecks(Repository repo, BackupManifest m,
            io.arca.core.Progress progress) {
        List<VerifyReport.ArtifactCheck> checks = new ArrayList<>();
        for (Section section : m.sections()) {
            if (section.source().startsWith("postgresql.")) {
                continue;
            }
            String name = "section " + section.source() + " " + section.subject();
            var source = SourceFlags.sources().find(section.source());
            if (source.isEmpty()) {
                checks.add(new VerifyReport.ArtifactCheck(name, true, List.of("a source this arca does not know:"
                        + " stored size and sha-256 only"), null));
                continue;
            }
            if (repo.decryptionKeys() == null && m.artifactsOf(section).stream().anyMatch(ArtifactRecord::encrypted)) {
                checks.add(new VerifyReport.ArtifactCheck(name, true, List.of("encrypted, no key given: stored size"
                        + " and sha-256 only"), null));
                continue;
            }
            try {
                List<String> problems = source.get().verify(new VerifyContext(repo, m, progress), section);
                checks.add(new VerifyReport.ArtifactCheck(name, problems.isEmpty(), List.of(source.get().title()
                        + " contents"), problems.isEmpty() ? null : String.join("; ", problems)));
            } catch (ArcaException e) {
                if (e.code() != ErrorCode.VERIFICATION_FAILED && e.code() != ErrorCode.STORAGE_NOT_FOUND) {
                    throw e;
                }
                checks.add(new VerifyReport.ArtifactCheck(name, false, List.of(source.get().title() + " contents"),
                        e.getMessage()));
            } catch (java.io.IOException e) {
                checks.add(new VerifyReport.ArtifactCheck(name, false, List.of(source.get().title() + " contents"),
                        "cannot read: " + e.getMessage()));
            }
            if (!checks.get(checks.size() - 1).ok()) {
                break;
            }
        }
        return checks;
    }

    private void print(VerifyReport r) {
        for (VerifyReport.ArtifactCheck c : r.artifacts()) {
            root.out.println((c.ok() ? "ok    " : "FAIL  ") + r.backupId() + "  " + c.name()
                    + (c.ok() ? "  (" + String.join(", ", c.checks()) + ")" : "  " + c.problem()));
        }
        root.out.println(r.ok() ? "backup " + r.backupId() + " verified" : "backup " + r.backupId() + " is damaged");
        root.out.flush();
    }
}
