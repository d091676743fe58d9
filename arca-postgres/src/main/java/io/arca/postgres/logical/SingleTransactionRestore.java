package io.arca.postgres.logical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
            feed(m, artifacts.get(0), ToolProcess.builder(program).args("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                    "--single-transaction", "--dbname=" + target.libpqConninfo(), "--no-password", "--file=-")
                    .environment(target.libpqEnvironment()).discardStdout().start(), "psql");
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
                    ArcaException damaged = view.damage();
                    if (damaged != null) {
                        damaged.addSuppressed(toolFailed);
                        throw damaged;
                    }
                    throw toolFailed;
                } finally {
                    p.close();
                    view.finish(ok);
                }
            }
            return;
        }
        feed(m, artifacts.get(0), ToolProcess.builder(pgRestore).args(args).environment(target.libpqEnvironment())
                .discardStdout().start(), "pg_restore");
    }

    /** Streams the artifact into the tool's standard input and waits for it to succeed. */
    private void feed(BackupManifest m, ArtifactRecord a, ToolProcess p, String what) throws IOException {
        try (InputStream in = repository.openArtifact(m, a)) {
            byte[] buffer = new byte[1 << 20];
            long done = 0;
            try (OutputStream stdin = p.stdin()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    stdin.write(buffer, 0, n);
                    done += n;
                    progress.bytes("restore", done, a.size());
                }
            } catch (IOException stoppedReading) {
                // the tool stopped reading; its exit status says why
            }
            p.waitForSuccess(what);
        } finally {
            p.destroy();
        }
    }
}
