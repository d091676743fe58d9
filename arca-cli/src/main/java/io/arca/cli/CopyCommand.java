package io.arca.cli;

import io.arca.app.copy.CopyRequest;
import io.arca.app.copy.CopyResult;
import io.arca.app.copy.CopyService;
import io.arca.core.error.UsageException;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import java.time.Clock;
import java.util.ArrayList;
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
                        + " cannot be trusted) are not copied and the copy exits 15 after copying the others.",
                "Each copy leaves a run record (job copy) in both repositories."})
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

    @Option(names = "--subject", paramLabel = "NAME", description = "Only backups of this subject (their subject"
            + " label, else their database's name): 'latest' is its newest, --all copies its backups alone. Also the"
            + " subject of the run's record (default: *).")
    String subject;

    @Override
    public Integer call() {
        if (all && id != null) {
            throw new UsageException("give either a backup id or --all, not both");
        }
        CopyRequest request = new CopyRequest(StorageUrl.parse(from), StorageUrl.parse(to), id, all, subject);
        ConsoleProgress progress = progressOptions.open(root.err);
        List<Map<String, Object>> results = new ArrayList<>();
        CopyResult result;
        try {
            result = Runs.record(root, RunRecord.Job.COPY, subject == null ? RunRecord.ALL_SUBJECTS : subject,
                    ctx -> new CopyService(Clock.systemUTC()).run(request, ctx, progress, c -> {
                        progress.done();
                        if (c.outcome() == CopyResult.Outcome.SKIPPED_PHYSICAL) {
                            root.err.println("note: skipped physical backup " + c.backupId() + " (copying physical"
                                    + " backups and their WAL is not supported yet)");
                            return;
                        }
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("backup", c.backupId());
                        r.put("outcome", c.outcome().name().toLowerCase(Locale.ROOT));
                        r.put("storedSize", c.storedSize());
                        results.add(r);
                        if (!output.json()) {
                            root.out.println((c.outcome() == CopyResult.Outcome.COPIED ? "copied " : "already present ")
                                    + c.backupId() + " (" + Text.bytes(c.storedSize()) + ") to " + request.to());
                            root.out.flush();
                        }
                    }));
        } finally {
            progress.done();
        }
        if (output.json()) {
            Text.json(root.out, results);
        }
        if (result.partialFailure() != null) {
            throw result.partialFailure();
        }
        return 0;
    }
}
