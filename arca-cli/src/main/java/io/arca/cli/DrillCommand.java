package io.arca.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.app.drill.DrillRequest;
import io.arca.app.drill.DrillResult;
import io.arca.app.drill.DrillService;
import io.arca.app.job.FailedRun;
import io.arca.app.job.RunRecorder;
import io.arca.app.json.AppJson;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.repo.status.RecoveryObjectives;
import io.arca.core.storage.Storage;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.UserCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
                "Each run is recorded in the repository (runs/; 'arca runs', 'arca status'), its drill id in the record.",
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

    @Option(names = "--subject", paramLabel = "NAME",
            description = "The subject the run is recorded for (see 'arca runs'); 'latest' then means its newest"
                    + " backup (label subject=NAME, else the database's name), and its RTO is the one measured against."
                    + " Default: the backup's subject label, else its database.")
    String subject;

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
        DrillRequest request = new DrillRequest(id, RunNotes.subject(subject), scratchServer, jobs, userChecks, rto,
                null, source -> SourceFlags.values(spec, source.drillOptions()));
        try (Storage storage = repository.openStorage()) {
            Repository repo = repository.open(storage).withKeys(null, keys);
            DrillService service = new DrillService(SourceFlags.sources(), postgres.binaries(), progress);
            String recordedFor = DrillService.subjectOf(repo, request);
            DrillResult result;
            try (RunListeners listeners = RunListeners.open(root)) {
                result = new RunRecorder(Clock.systemUTC(), listeners.listener()).run(null, RunRecord.Job.DRILL,
                        recordedFor, RunRecord.Trigger.CLI, List.of(repo), ctx -> {
                            DrillResult r = service.drill(repo, request);
                            progress.done();
                            if (r.failure() != null) {
                                throw new FailedRun(r.failure(), r);
                            }
                            return r;
                        });
            } catch (FailedRun e) {
                print((DrillResult) e.result(), storage);
                throw e;
            }
            print(result, storage);
        } finally {
            progress.done();
        }
        return 0;
    }

    private void print(DrillResult r, Storage storage) {
        if (output.json()) {
            root.out.println(AppJson.write(r.drill()));
            root.out.flush();
        } else if (report.equals("markdown")) {
            DrillReport.markdown(r.drill(), storage.url().toString(), r.evidence(), root.out);
        } else {
            DrillReport.text(r.drill(), r.evidence(), root.out);
        }
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
}
