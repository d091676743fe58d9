package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.TempFiles;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The setup of the physical restore tests: a repository that this (root) JVM and the server's
 * user share, and a PostgreSQL 15 cluster whose {@code archive_command} is {@code arca wal-push}
 * into it. {@link #close} stops the servers restored from it, the cluster, and removes it all.
 */
final class ArchivingCluster implements AutoCloseable {
    static final Path PG_CTL = Path.of("/usr/lib/postgresql/15/bin/pg_ctl");

    final Path dir;
    final Path repo;
    final Path tmp;
    final LocalCluster cluster;
    /** Data directories of servers a test started from the repository: stopped by {@link #close}. */
    final List<Path> restored = new ArrayList<>();

    private ArchivingCluster(Path dir, Path repo, Path tmp, LocalCluster cluster) {
        this.dir = dir;
        this.repo = repo;
        this.tmp = tmp;
        this.cluster = cluster;
    }

    /** A new repository in a temporary directory named {@code prefix...}, and the cluster archiving into it. */
    static ArchivingCluster start(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        try {
            Path repo = dir.resolve("repo");
            assertThat(ArcaRun.of("init", "--repo", repo.toString()).exit()).isZero();
            ServerSide.openUp(repo);
            Path tmp = ServerSide.openUp(dir.resolve("tmp"));
            LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withMajor(15).withFastAndUnsafe(true)
                    .withSetting("archive_mode", "on")
                    .withSetting("archive_command", ServerSide.arcaCommand(tmp) + " wal-push %p --repo " + repo));
            return new ArchivingCluster(dir, repo, tmp, cluster);
        } catch (Exception | AssertionError e) {
            TempFiles.deleteQuietly(dir);
            throw e;
        }
    }

    /** A physical backup of the cluster into the repository, which must succeed. */
    ArcaRun backUp() throws Exception {
        // this (root) JVM streams the backup's WAL into folders the server's archive_command writes into too
        Files.createDirectories(repo.resolve("wal").resolve(systemId()).resolve("00000001"));
        ServerSide.openUp(repo);
        ArcaRun backup = ArcaRun.of("backup", "--physical", "--db", ArcaRun.url(cluster, "postgres"), "--repo",
                repo.toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();
        return backup;
    }

    /** The cluster's system identifier, as the WAL archive's folder names it. */
    String systemId() throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select system_identifier from pg_control_system()")) {
            rs.next();
            return Long.toUnsignedString(rs.getLong(1));
        }
    }

    @Override
    public void close() throws Exception {
        for (Path p : restored) {
            ServerSide.stopImmediately(PG_CTL, p);
        }
        cluster.close();
        TempFiles.deleteQuietly(dir);
    }
}
