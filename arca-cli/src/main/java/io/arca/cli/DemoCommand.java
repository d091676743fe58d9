package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.logical.LogicalBackup;
import io.arca.postgres.logical.LogicalBackupOptions;
import io.arca.postgres.logical.LogicalRestore;
import io.arca.postgres.logical.LogicalRestoreOptions;
import io.arca.postgres.logical.LogicalVerifier;
import io.arca.postgres.logical.RestoreResult;
import io.arca.postgres.logical.VerifyReport;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code arca demo}: the main job end to end on a throwaway cluster: load data, back up, verify,
 * restore into a new database, compare row counts, report, clean up everything it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run Arca's main job on a throwaway PostgreSQL cluster started with the local binaries:",
                "load sample data, back up, verify, restore into a new database, compare row counts, clean up."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    PostgresOptions postgres;

    @Option(names = "--keep-repo", paramLabel = "DIR",
            description = "Write the demo repository here and keep it (default: a temporary directory, removed).")
    Path keepRepo;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = root.out;
        ConsoleProgress progress = progressOptions.open(root.err);
        PgBinaries binaries = postgres.binaries();
        Path repoDir = keepRepo != null ? keepRepo.toAbsolutePath() : Files.createTempDirectory("arca-demo-repo-");
        long t0 = System.nanoTime();
        step(out, "starting a throwaway PostgreSQL cluster");
        ClusterOptions clusterOptions = ClusterOptions.defaults();
        if (!postgres.pgBin.isEmpty()) {
            clusterOptions = clusterOptions.withBinDirectory(postgres.pgBin.get(0));
        }
        try (LocalCluster cluster = LocalCluster.start(clusterOptions.withFastAndUnsafe(true));
                Storage storage = Storages.open(StorageUrl.parse(repoDir.toString()))) {
            out.println("       PostgreSQL " + cluster.version() + " on 127.0.0.1:" + cluster.port());
            cluster.createDatabase("shop");
            step(out, "loading sample data into database 'shop'");
            try (InputStream sql = DemoCommand.class.getResourceAsStream("demo-data.sql")) {
                cluster.execute("shop", new String(sql.readAllBytes(), StandardCharsets.UTF_8));
            }
            ConnectionSettings source = cluster.connectionSettings("shop");

            step(out, "creating repository " + repoDir);
            Repository repo = Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());

            step(out, "backing up 'shop'");
            BackupManifest backup = new LogicalBackup(repo, binaries, progress)
                    .run(source, LogicalBackupOptions.defaults(repo.defaultCodec()));
            progress.done();
            out.println("       backup " + backup.backupId() + ": " + Text.bytes(backup.size()) + " dumped, "
                    + Text.bytes(backup.storedSize()) + " stored, " + Text.duration(backup.duration()));

            step(out, "verifying the backup");
            VerifyReport report = new LogicalVerifier(repo, binaries, progress).verify(backup);
            progress.done();
            if (!report.ok()) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "demo backup failed verification: "
                        + report.artifacts(), "this is a bug in arca; please report it");
            }
            out.println("       " + report.artifacts().size() + " artifact(s) verified");

            step(out, "restoring into new database 'shop_restored' with 2 jobs");
            ConnectionSettings target = cluster.connectionSettings("shop_restored");
            RestoreResult restored = new LogicalRestore(repo, binaries, progress)
                    .run(backup, target, LogicalRestoreOptions.defaults().withJobs(2));
            progress.done();
            out.println("       restored in " + Text.duration(restored.duration()));

            step(out, "comparing row counts with the backup's manifest");
            int mismatches = 0;
            long rows = 0;
            try (Connection c = cluster.connect("shop_restored"); Statement st = c.createStatement()) {
                Text.Table t = new Text.Table("       TABLE", "IN BACKUP", "RESTORED", "");
                for (PostgresSection.TableInfo table : PostgresSection.database(backup).tables()) {
                    long actual;
                    try (ResultSet rs = st.executeQuery("select count(*) from only "
                            + io.arca.postgres.logical.TableRef.quote(table.schema()) + "."
                            + io.arca.postgres.logical.TableRef.quote(table.name()))) {
                        rs.next();
                        actual = rs.getLong(1);
                    }
                    boolean same = table.rows() != null && table.rows() == actual;
                    mismatches += same ? 0 : 1;
                    rows += actual;
                    t.row("       " + table.schema() + "." + table.name(), table.rows(), actual, same ? "ok" : "MISMATCH");
                }
                t.print(out);
            } catch (SQLException e) {
                throw new ArcaException(ErrorCode.FAILURE, "cannot count restored rows: " + e.getMessage(), null, e);
            }
            if (mismatches > 0) {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, mismatches + " table(s) differ after restore",
                        "this is a bug in arca; please report it");
            }
            out.println();
            PostgresSection.DatabaseInfo db = PostgresSection.database(backup);
            out.println("demo passed: " + db.tables().size() + " tables, " + rows
                    + " rows backed up, verified and restored; migration "
                    + (db.migration() == null ? "-" : db.migration().tool() + " " + db.migration().version())
                    + "; total " + Text.duration(java.time.Duration.ofNanos(System.nanoTime() - t0)));
            step(out, "stopping the cluster and removing what the demo created");
        } finally {
            progress.done();
            if (keepRepo == null) {
                TempFiles.deleteQuietly(repoDir);
            } else {
                out.println("repository kept at " + repoDir + " (try: ./arca list --repo " + repoDir + ")");
            }
            out.flush();
        }
        return 0;
    }

    private static void step(PrintWriter out, String what) {
        out.println("[arca] " + what);
        out.flush();
    }
}
