package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.error.UsageException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.storage.Storage;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.DrillOptions;
import io.arca.postgres.logical.RestoreDrill;
import io.arca.postgres.logical.UserCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.VerifyContext;
import io.arca.postgres.logical.LogicalBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca drill}: prove a backup by restoring it into a scratch target and checking it. */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Restore a backup into a scratch target, check it against its manifest, measure the recovery"
                + " time, remove the scratch target, and keep the evidence in the repository (drills/).",
                "The scratch target is an ephemeral PostgreSQL cluster of the backup's major version started from the"
                        + " local server programs (removed afterwards, also on failure or Ctrl-C), or with --scratch"
                        + " a uniquely named database on that server (dropped afterwards).",
                "Checks: every table in the manifest exists with exactly its row count, no other table exists, the"
                        + " schema migration version matches, and every --check query meets its --expect.",
                "Exits 15 naming the first mismatch; the evidence is written either way."})
final class DrillCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;
    @Mixin
    PostgresOptions postgres;

    @Parameters(paramLabel = "ID", arity = "0..1", defaultValue = "latest",
            description = "Backup id, a unique prefix of one, or 'latest' (default).")
    String id;

    @Option(names = "--scratch", paramLabel = "URL",
            description = "Restore into a new scratch database on this server (postgresql://user@host:port/db, any"
                    + " existing database to connect to) instead of an ephemeral cluster.")
    String scratch;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "2",
            description = "Parallel restore and row-count workers (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--check", paramLabel = "SQL",
            description = "A query returning one value, checked after the restore against the --expect in the same"
                    + " position. Repeatable.")
    List<String> checks = new ArrayList<>();

    @Option(names = "--expect", paramLabel = "EXPR",
            description = "What the --check in the same position must return: >N, >=N, <N, <=N, =V, !=V, or a value.")
    List<String> expects = new ArrayList<>();

    @Option(names = "--checks-file", paramLabel = "FILE",
            description = "More checks, as JSON: [{\"sql\": \"select count(*) from users\", \"expect\": \">0\"}].")
    Path checksFile;

    @Option(names = "--rto", paramLabel = "DURATION",
            description = "Recovery time objective to measure against (such as 4h; none for none; default: the database's entry in arca.json, else its '*' entry, as arca status reads them).")
    String rto;

    @Option(names = "--report", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or markdown: a document to file as the drill record (arca drill --report"
                    + " markdown > drill.md).")
    String report;

    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        if (!report.equals("text") && !report.equals("markdown")) {
            throw new UsageException("invalid --report '" + report + "': use text or markdown");
        }
        List<UserCheck> userChecks = userChecks();
        if (rto != null) {
            RecoveryObjectives.parse("--rto", rto);
        }
        ConnectionSettings scratchServer = scratch == null ? null : ConnectionSettings.parse(scratch, System.getenv());
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        ConsoleProgress progress = progressOptions.open(root.err);
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage).withKeys(null, keys);
            BackupManifest backup = repo.resolve(id, m -> m.has(LogicalBackup.SOURCE) || !others(m).isEmpty(),
                    "logical backup", null);
            if (PostgresSection.kind(backup) == io.arca.postgres.manifest.BackupKind.PHYSICAL) {
                throw new ArcaException(ErrorCode.USAGE, "backup " + backup.backupId() + " is a physical backup, which"
                        + " arca drill does not restore yet", "drill a logical backup, or verify this one with 'arca"
                        + " verify " + backup.backupId() + "'");
            }
            repo.requireReadable(backup);
            String target = objective(repo, backup);
            List<Section> others = others(backup);
            DrillRecord d = new RestoreDrill(repo, postgres.binaries(), progress)
                    .run(backup, new DrillOptions(scratchServer, jobs, userChecks, target,
                            others.isEmpty() ? null : () -> drillSections(repo, backup, others, progress)));
            progress.done();
            String evidence = Repository.drillKey(d.id());
            if (output.json()) {
                Text.json(root.out, d);
            } else if (report.equals("markdown")) {
                DrillReport.markdown(d, storage.url().toString(), evidence, root.out);
            } else {
                DrillReport.text(d, evidence, root.out);
            }
            if (!d.passed()) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "drill " + d.drillId() + " of backup '"
                        + d.backupId() + "' failed: " + d.failure(), "the evidence is in " + evidence
                        + "; do not rely on this backup until a drill passes (restore an older one if needed)");
            }
        } finally {
            progress.done();
        }
        return 0;
    }

    /** The sections of sources other than PostgreSQL. */
    private static List<Section> others(BackupManifest m) {
        return m.sections().stream().filter(s -> !s.source().startsWith("postgresql.")).toList();
    }

    /**
     * Each section drilled by its source: recovered into the scratch service its drill options
     * name, or else read whole and checked against the manifest (as verify does).
     */
    private List<DrillRecord.SectionCheck> drillSections(Repository repo, BackupManifest backup, List<Section> sections,
            ConsoleProgress progress) {
        List<DrillRecord.SectionCheck> results = new ArrayList<>();
        for (Section section : sections) {
            String subject = String.valueOf(section.subject());
            var source = SourceFlags.sources().find(section.source());
            if (source.isEmpty()) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false,
                        "a source this arca does not know; upgrade arca to drill it"));
                continue;
            }
            SourceOptions options = SourceFlags.values(spec, source.get().drillOptions());
            try {
                progress.note("drilling " + source.get().title() + " " + subject);
                var recovered = source.get().drill(new RestoreContext(repo, backup, false, progress), section, options);
                if (recovered.isPresent()) {
                    results.add(new DrillRecord.SectionCheck(section.source(), subject, recovered.get(), true, null));
                    continue;
                }
                List<String> problems = source.get().verify(new VerifyContext(repo, backup, progress), section);
                results.add(new DrillRecord.SectionCheck(section.source(), subject,
                        List.of("read whole and checked against the manifest (no scratch service given)"),
                        problems.isEmpty(), problems.isEmpty() ? null : String.join("; ", problems)));
            } catch (ArcaException e) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false, e.getMessage()));
            } catch (IOException e) {
                results.add(new DrillRecord.SectionCheck(section.source(), subject, List.of(), false,
                        "cannot read: " + e.getMessage()));
            }
        }
        return results;
    }

    private List<UserCheck> userChecks() {
        if (checks.size() != expects.size()) {
            throw new UsageException("each --check needs an --expect (" + checks.size() + " --check, "
                    + expects.size() + " --expect)");
        }
        List<UserCheck> out = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            out.add(new UserCheck(checks.get(i), expects.get(i)));
        }
        if (checksFile != null) {
            try {
                for (Map<?, ?> c : new ObjectMapper().readValue(Files.readAllBytes(checksFile), Map[].class)) {
                    if (!(c.get("sql") instanceof String sql) || !(c.get("expect") instanceof String expect)) {
                        throw new UsageException("--checks-file '" + checksFile
                                + "': every entry needs \"sql\" and \"expect\" strings");
                    }
                    out.add(new UserCheck(sql, expect));
                }
            } catch (IOException e) {
                throw new UsageException("--checks-file '" + checksFile + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The RTO to measure against, as {@code arca status} judges it: --rto, else the database's
     * entry in arca.json, else its {@code *} entry; null when none is set (or set to none).
     */
    private String objective(Repository repo, BackupManifest backup) {
        Map<String, RepositoryConfig.Objectives> saved = repo.config().defaults() == null ? null
                : repo.config().defaults().objectives();
        String db = PostgresSection.database(backup) == null ? "" : PostgresSection.database(backup).name();
        Duration target = RecoveryObjectives.resolve(db, new RepositoryConfig.Objectives(null, rto, null), saved).rto();
        return target == null ? null : DurationText.format(target);
    }
}
