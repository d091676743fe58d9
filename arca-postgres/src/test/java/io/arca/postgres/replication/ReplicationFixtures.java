package io.arca.postgres.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.postgres.local.LocalCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Setup for the replication tests: tablespaces, data, receiving a backup to disk, running tools. */
final class ReplicationFixtures {

    static final Path PG_VERIFYBACKUP = Path.of("/usr/lib/postgresql/15/bin/pg_verifybackup");

    private ReplicationFixtures() {
    }

    /** A part as written to disk. */
    record ReceivedPart(Part.Kind kind, Tablespace tablespace, String name, Path file) {
    }

    /** A whole backup as written to disk. */
    record ReceivedBackup(BaseBackup backup, List<ReceivedPart> parts, BackupEnd end, long bytesReceived) {
        ReceivedPart part(String name) {
            return parts.stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no part '" + name + "' in " + names()));
        }

        List<String> names() {
            return parts.stream().map(ReceivedPart::name).toList();
        }
    }

    /** A user tablespace {@code name} in a directory owned by the server's user, with a table of rows in it. */
    static CreatedTablespace createTablespaceWithData(LocalCluster cluster, String name) throws IOException, SQLException {
        Path location = ownedByServer(cluster.directory().resolve(name));
        cluster.execute("postgres",
                "CREATE TABLESPACE " + name + " LOCATION '" + location + "'",
                "CREATE TABLE in_" + name + " (id int primary key, payload text) TABLESPACE " + name,
                "INSERT INTO in_" + name + " SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 5000) g",
                "CREATE TABLE IF NOT EXISTS in_main (id int primary key, payload text)",
                "INSERT INTO in_main SELECT g, md5(g::text) FROM generate_series(1, 5000) g ON CONFLICT DO NOTHING");
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT oid FROM pg_tablespace WHERE spcname = '" + name + "'")) {
            rs.next();
            return new CreatedTablespace(rs.getLong(1), location.toString());
        }
    }

    /** A created tablespace: its oid and location. */
    record CreatedTablespace(long oid, String location) {
    }

    /** A directory the PostgreSQL server's OS user owns (the JVM runs as root in CI). */
    static Path ownedByServer(Path dir) throws IOException {
        Files.createDirectories(dir);
        if ("root".equals(System.getProperty("user.name"))) {
            UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            view.setOwner(lookup.lookupPrincipalByName("postgres"));
            view.setGroup(lookup.lookupPrincipalByGroupName("postgres"));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Reads every part into {@code dir} (through small reads and large ones alike) and finishes. */
    static ReceivedBackup receive(BaseBackup backup, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<ReceivedPart> parts = new ArrayList<>();
        byte[] buf = new byte[100_000];
        int round = 0;
        for (Part p = backup.next(); p != null; p = backup.next()) {
            Path file = dir.resolve(p.name());
            try (OutputStream out = Files.newOutputStream(file); InputStream in = p.stream()) {
                // Mix single-byte, small and large reads: all must give the same bytes.
                int n;
                while (true) {
                    int mode = round++ % 3;
                    if (mode == 0) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        out.write(b);
                    } else {
                        n = in.read(buf, 0, mode == 1 ? 7 : buf.length);
                        if (n < 0) {
                            break;
                        }
                        out.write(buf, 0, n);
                    }
                }
            }
            parts.add(new ReceivedPart(p.kind(), p.tablespace(), p.name(), file));
        }
        return new ReceivedBackup(backup, parts, backup.finish(), backup.bytesReceived());
    }

    /** The manifest's files: path → {size, checksum}. */
    static Map<String, List<String>> manifestFiles(Path manifest) throws IOException {
        JsonNode root = new ObjectMapper().readTree(manifest.toFile());
        Map<String, List<String>> files = new LinkedHashMap<>();
        for (JsonNode f : root.get("Files")) {
            files.put(f.get("Path").asText(), List.of(f.get("Size").asText(),
                    f.path("Checksum").asText("")));
        }
        return files;
    }

    /**
     * Lays the backup out as a data directory: base.tar extracted into {@code dir}, each
     * tablespace tar extracted beside it with the {@code pg_tblspc} link pointed at it, and the
     * manifest placed for {@code pg_verifybackup}.
     */
    static Path layOut(ReceivedBackup b, Path dir) throws IOException, InterruptedException {
        Path data = Files.createDirectories(dir.resolve("data"));
        expectSuccess(List.of("tar", "-xf", b.part("base.tar").file().toString(), "-C", data.toString()));
        for (ReceivedPart p : b.parts()) {
            if (p.kind() == Part.Kind.TAR && !p.tablespace().isMain()) {
                Path ts = Files.createDirectories(dir.resolve("tablespace-" + p.tablespace().oid()));
                expectSuccess(List.of("tar", "-xf", p.file().toString(), "-C", ts.toString()));
                Path link = data.resolve("pg_tblspc").resolve(Long.toString(p.tablespace().oid()));
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, ts);
            }
        }
        if (b.parts().stream().anyMatch(p -> p.kind() == Part.Kind.MANIFEST)) {
            Files.copy(b.part("backup_manifest").file(), data.resolve("backup_manifest"));
        }
        return data;
    }

    /** Runs a command; returns exit code and combined output. */
    static ToolResult run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new ToolResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String expectSuccess(List<String> command) throws IOException, InterruptedException {
        ToolResult r = run(command);
        if (r.exit() != 0) {
            throw new AssertionError(command + " failed with exit " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }

    record ToolResult(int exit, String output) {
    }

    /**
     * Stops the server (fast shutdown) and waits until the postmaster has exited. {@link
     * LocalCluster#close()} alone can report "still running" when it looks in the moment between
     * the postmaster removing its pid file and exiting.
     */
    static void stopAndWait(LocalCluster cluster) throws IOException, InterruptedException {
        long pid = cluster.postmasterPid();
        if (pid <= 0 || !LocalCluster.isProcessRunning(pid)) {
            return;
        }
        expectSuccess(List.of("kill", "-INT", Long.toString(pid)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (LocalCluster.isProcessRunning(pid)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("PostgreSQL (pid " + pid + ") did not stop within 60 s");
            }
            Thread.sleep(20);
        }
    }

    /** A single-row, single-column query's answer as text. */
    static String queryOne(LocalCluster cluster, String sql) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getString(1);
        }
    }
}
