package io.arca.postgres.logical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole-database restore over an existing database as one transaction: {@code pg_restore
 * --clean --if-exists --single-transaction --exit-on-error}, so that the drops and the restore
 * commit together and a failure (or a kill, which ends the session) leaves the database as it
 * was. Used for {@code --in-place} with {@code --jobs 1}, where no new database can be swapped
 * in. Custom archives stream from the repository into standard input; directory backups are read
 * through a {@link DirectoryArchiveView}; plain scripts (which Arca dumps with {@code --clean
 * --if-exists}) go to {@code psql --single-transaction} with {@code ON_ERROR_STOP}.
 */
final class SingleTransactionRestore {
    private final Repository repository;
    private final Progress progress;

    SingleTransactionRestore(Repository repository, Progress progress) {
        this.repository = repository;
        this.progress = progress;
    }

    /** @param program pg_restore, or psql for a plain script */
    void run(BackupManifest m, DumpFormat format, ConnectionSettings target, Path program, LogicalRestoreOptions o)
            throws IOException {
        List<ArtifactRecord> artifacts = LogicalRestore.databaseArtifacts(m);
        if (format == DumpFormat.PLAIN) {
            LogicalRestore.feed(repository, progress, ToolProcess.builder(program).args("--no-psqlrc", "--quiet",
                    "--set=ON_ERROR_STOP=1",
                    "--single-transaction", "--dbname=" + target.libpqConninfo(), "--no-password", "--file=-")
                    .environment(target.libpqEnvironment()).discardStdout().start(), m, artifacts.get(0), "psql");
            return;
        }
        Path pgRestore = program;
        List<String> args = new ArrayList<>(List.of("--exit-on-error", "--single-transaction", "--clean", "--if-exists"));
        if (o.noOwner()) {
            args.add("--no-owner");
        }
        if (o.noPrivileges()) {
            args.add("--no-privileges");
        }
        args.add("--dbname=" + target.libpqConninfo());
        args.add("--no-password");
        if (format == DumpFormat.DIRECTORY) {
            String first = artifacts.get(0).name();
            try (DirectoryArchiveView view = DirectoryArchiveView.open(repository, m, artifacts,
                    first.substring(0, first.indexOf('/') + 1))) {
                args.add("--format=directory");
                args.add(view.directory().toString());
                ToolProcess p = ToolProcess.builder(pgRestore).args(args).environment(target.libpqEnvironment())
                        .noStdin().discardStdout().start();
                boolean ok = false;
                try {
                    p.waitForSuccess("pg_restore");
                    ok = true;
                } catch (ArcaException toolFailed) {
                    throw view.explain(toolFailed);
                } finally {
                    p.close();
                    view.finish(ok);
                }
            }
            return;
        }
        LogicalRestore.feed(repository, progress, ToolProcess.builder(pgRestore).args(args).environment(target.libpqEnvironment())
                .discardStdout().start(), m, artifacts.get(0), "pg_restore");
    }
}
