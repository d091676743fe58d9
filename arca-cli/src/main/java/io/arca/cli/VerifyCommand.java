package io.arca.cli;

import io.arca.app.job.FailedRun;
import io.arca.app.job.RunRecorder;
import io.arca.app.json.AppJson;
import io.arca.app.verify.VerifyListener;
import io.arca.app.verify.VerifyRequest;
import io.arca.app.verify.VerifyResult;
import io.arca.app.verify.VerifyService;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.logical.VerifyReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
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
                "Each run is recorded in every repository checked (runs/; 'arca runs', 'arca status').",
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

    @Option(names = "--all", description = "Verify every complete backup (of --subject, when given).")
    boolean all;

    @Option(names = "--subject", paramLabel = "NAME",
            description = "The subject the run is recorded for (see 'arca runs'); 'latest' and --all then mean its"
                    + " backups (label subject=NAME, else the database's name). Default: the backup's subject label,"
                    + " else its database; '*' with --all.")
    String subject;

    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        VerifyRequest request = new VerifyRequest(id, all, RunNotes.subject(subject));
        ConsoleProgress progress = progressOptions.open(root.err);
        DecryptionKeys keys = Keys.decryption(privateKeys, passphrase);
        List<Storage> storages = new ArrayList<>();
        AtomicReference<VerifyResult> outcome = new AtomicReference<>();
        try {
            List<Repository> repos = new ArrayList<>();
            for (StorageUrl url : repository.urls()) {
                Storage storage = Storages.open(url);
                storages.add(storage);
                repos.add(repository.open(storage).withKeys(null, keys));
            }
            VerifyService service = new VerifyService(SourceFlags.sources(), postgres.binaries(), progress);
            String recordedFor = VerifyService.subjectOf(repos.get(0), request);
            try (RunListeners listeners = RunListeners.open(root)) {
                new RunRecorder(Clock.systemUTC(), listeners.listener()).run(null, RunRecord.Job.VERIFY, recordedFor,
                        RunRecord.Trigger.CLI, repos, ctx -> {
                            VerifyResult r = service.verify(repos, request, listener(repos.size() > 1, progress));
                            outcome.set(r);
                            if (r.failure() != null) {
                                throw new FailedRun(r.failure(), r);
                            }
                            return r;
                        });
            }
        } finally {
            progress.done();
            storages.forEach(Storage::close);
            if (output.json() && outcome.get() != null) {
                VerifyResult r = outcome.get();
                root.out.println(AppJson.write(r.repositories().size() > 1 ? r.repositories() : r.reports()));
                root.out.flush();
            }
        }
        return 0;
    }

    /** Prints each report as it comes (text output), and the repository before its reports when there are several. */
    private VerifyListener listener(boolean several, ConsoleProgress progress) {
        return new VerifyListener() {
            @Override
            public void repository(String url) {
                if (several && !output.json()) {
                    root.out.println("repository " + url);
                }
            }

            @Override
            public void warning(String message) {
                root.err.println("warning: " + message);
            }

            @Override
            public void report(VerifyReport r) {
                progress.done();
                if (!output.json()) {
                    print(r);
                }
            }
        };
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
