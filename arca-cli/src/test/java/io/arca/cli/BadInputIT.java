package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.RepositoryJson;
import io.arca.testkit.pg.PostgresExtension;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gets one clear error line, a hint and the designed exit code. */
class BadInputIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static Path repo(Path dir) {
        assertThat(ArcaRun.of("init", "--repo", dir.toString()).exit()).isZero();
        return dir;
    }

    @Test
    void unreachableHostExits14(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ArcaRun r = ArcaRun.of("backup", "--repo", repo(dir).toString(), "--db",
                "postgresql://postgres:x@127.0.0.1:" + closedPort + "/postgres");
        assertThat(r.exit()).as(r.toString()).isEqualTo(14);
        assertThat(r.err()).startsWith("error: cannot connect to PostgreSQL at '127.0.0.1:" + closedPort + "'")
                .contains("hint: ").contains("code: ARCA-" + ErrorCode.PG_CONNECTION.number());
        assertThat(r.err().lines().count()).as("no stack trace without --debug: " + r.err()).isLessThanOrEqualTo(3);
    }

    @Test
    void wrongPasswordExits14(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("backup", "--repo", repo(dir).toString(), "--db",
                "postgresql://postgres:wrong-password@127.0.0.1:" + PG.cluster().port() + "/postgres");
        assertThat(r.exit()).as(r.toString()).isEqualTo(14);
        assertThat(r.err()).contains("password authentication failed for user 'postgres'").contains("hint: ")
                .contains("ARCA-" + ErrorCode.PG_AUTHENTICATION.number());
    }

    @Test
    void missingDatabaseExits14(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("backup", "--repo", repo(dir).toString(), "--db", ArcaRun.url(PG.cluster(), "no_such_db"));
        assertThat(r.exit()).as(r.toString()).isEqualTo(14);
        assertThat(r.err()).contains("database 'no_such_db' does not exist").contains("hint: ");
    }

    @Test
    void uninitialisedRepositoryExits10BeforeTouchingTheDatabase(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("backup", "--repo", dir.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(r.exit()).as(r.toString()).isEqualTo(10);
        assertThat(r.err()).contains("no arca repository at");
    }

    @Test
    void jobsWithoutDirectoryFormatIsAUsageError(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("backup", "--repo", repo(dir).toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"),
                "--jobs", "2");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--jobs needs --format directory");
    }

    @Test
    void badUrlIsAUsageError(@TempDir Path dir) {
        ArcaRun r = ArcaRun.of("backup", "--repo", repo(dir).toString(), "--db", "mysql://x@y/z");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("hint: ");
    }

    @Test
    void aKeepWithinBeyondTheLongestDurationIsAUsageErrorAndIsNeverSaved(@TempDir Path dir) throws Exception {
        Path repo = repoWithABackup(dir);
        String before = Files.readString(repo.resolve("arca.json"));
        for (String[] args : new String[][] {{"prune", "--repo", repo.toString(), "--keep-within", "99999999999999d"},
                {"prune", "--repo", repo.toString(), "--keep-within", "99999999999999d", "--save-policy"}}) {
            ArcaRun r = ArcaRun.of(args);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: keep-within: invalid duration '99999999999999d': longer than 1000y")
                    .contains("hint: ");
            assertThat(r.err().lines().count()).as("no stack trace: " + r.err()).isLessThanOrEqualTo(3);
        }
        assertThat(Files.readString(repo.resolve("arca.json"))).as("nothing saved").isEqualTo(before);
        ArcaRun longest = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-within", "1000y", "--save-policy");
        assertThat(longest.exit()).as(longest.toString()).isZero();
        ArcaRun again = ArcaRun.of("prune", "--repo", repo.toString());
        assertThat(again.exit()).as("the saved longest policy is usable: " + again).isZero();
        assertThat(again.out()).contains("keep");
    }

    @Test
    void aSavedPolicyThatCannotBeUsedIsAClearError(@TempDir Path dir) throws Exception {
        Path repo = repoWithABackup(dir);
        // as an older Arca saved it, or a hand edit left it
        Path config = repo.resolve("arca.json");
        JsonNode json = RepositoryJson.mapper().readTree(config.toFile());
        ((ObjectNode) json.get("defaults")).putObject("retention").put("keep-within", "99999999999999d");
        RepositoryJson.mapper().writeValue(config.toFile(), json);

        ArcaRun r = ArcaRun.of("prune", "--repo", repo.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: the retention policy saved in the repository cannot be used: keep-within:"
                + " invalid duration '99999999999999d'").contains("hint: save a valid one with 'arca prune --save-policy");
        assertThat(r.err().lines().count()).as("no stack trace: " + r.err()).isLessThanOrEqualTo(3);
        ArcaRun fixed = ArcaRun.of("prune", "--repo", repo.toString(), "--keep-last", "1", "--save-policy");
        assertThat(fixed.exit()).as(fixed.toString()).isZero();
        assertThat(ArcaRun.of("prune", "--repo", repo.toString()).exit()).isZero();
    }

    @Test
    void badConnectionParametersAreUsageErrorsBeforeConnecting(@TempDir Path dir) throws Exception {
        Path repo = repo(dir);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // nothing listens on closedPort: a usage error proves the URL was refused before connecting
        ArcaRun sslmode = ArcaRun.of("backup", "--repo", repo.toString(), "--db",
                "postgresql://postgres:x@127.0.0.1:" + closedPort + "/postgres?sslmode=bogus");
        assertThat(sslmode.exit()).as(sslmode.toString()).isEqualTo(2);
        assertThat(sslmode.err()).startsWith("error: invalid sslmode 'bogus' in PostgreSQL URL")
                .contains("hint: use sslmode=disable, allow, prefer, require, verify-ca or verify-full");
        ArcaRun unknown = ArcaRun.of("backup", "--repo", repo.toString(), "--db",
                ArcaRun.url(PG.cluster(), "postgres") + "?foo=bar");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("error: unknown connection parameter 'foo' in PostgreSQL URL")
                .contains("hint: use the parameters libpq knows: ").contains("sslmode").contains("connect_timeout");
        assertThat(unknown.err()).doesNotContain(PG.cluster().password());
        assertThat(ArcaRun.of("list", "--repo", repo.toString()).out()).doesNotContain("logical");
    }

    @Test
    void labelsNeedAKeyOfTheDocumentedCharset(@TempDir Path dir) {
        Path repo = repo(dir);
        for (String label : new String[] {"=x", "a b=x", "purpose=safety"}) {
            ArcaRun r = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"),
                    "--label", label);
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: invalid label '" + label + "'").contains("hint: ");
        }
        assertThat(ArcaRun.of("list", "--repo", repo.toString()).out()).doesNotContain("logical");
        ArcaRun ok = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"),
                "--label", "app.kubernetes.io/name=shop", "--label", "note=");
        assertThat(ok.exit()).as(ok.toString()).isZero();
    }

    @Test
    void aFullDiskUnderTheKeyFilesIsALocalIoErrorNamingTheFileAndLeavesNoHalfKey(@TempDir Path dir) throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small"));
        run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mount.toString());
        try {
            fill(mount);
            Path out = mount.resolve("ops");
            ArcaRun r = ArcaRun.of("key", "generate", "--out", out.toString(), "--no-passphrase");
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).startsWith("error: cannot write '" + out + ".key.asc': ")
                    .contains("hint: ").contains("free space").contains("code: ARCA-" + ErrorCode.LOCAL_IO.number())
                    .doesNotContain("internal error");
            assertThat(r.err().lines().count()).as("no stack trace: " + r.err()).isLessThanOrEqualTo(3);
            assertThat(mount.resolve("ops.key.asc")).doesNotExist();
            assertThat(mount.resolve("ops.pub.asc")).doesNotExist();
        } finally {
            run("umount", mount.toString());
        }
    }

    @Test
    void localPathsThatCannotBeWrittenAreLocalIoErrorsNamingThePath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        ArcaRun key = ArcaRun.of("key", "generate", "--out", file.resolve("ops").toString(), "--no-passphrase");
        assertThat(key.exit()).as(key.toString()).isEqualTo(1);
        assertThat(key.err()).startsWith("error: cannot write '" + file.resolve("ops") + ".key.asc': '" + file
                + "' is not a directory").contains("code: ARCA-" + ErrorCode.LOCAL_IO.number());

        ArcaRun staging = ArcaRun.of("backup", "--repo", repo(dir.resolve("repo")).toString(), "--db",
                ArcaRun.url(PG.cluster(), "postgres"), "--format", "directory", "--staging-dir", file.toString());
        assertThat(staging.exit()).as(staging.toString()).isEqualTo(1);
        assertThat(staging.err()).startsWith("error: cannot create a staging directory in '" + file + "'")
                .contains("hint: pass --staging-dir").contains("code: ARCA-" + ErrorCode.LOCAL_IO.number());
        assertThat(staging.err().lines().count()).as("no stack trace: " + staging.err()).isLessThanOrEqualTo(3);
    }

    @Test
    void badWalNamesAndLeaseTimesAreUsageErrorsNotBugs(@TempDir Path dir) throws Exception {
        Path repo = repo(dir.resolve("repo"));
        for (String name : new String[] {"not-a-wal-file", "00000000000000010000002A"}) {
            ArcaRun r = ArcaRun.of("wal-fetch", "--repo", repo.toString(), name, dir.resolve("x").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: '" + name + "' is not a WAL file name").doesNotContain("internal");
        }
        ArcaRun ttl = ArcaProcess.run(java.util.Map.of("ARCA_LEASE_TTL", "0s"), "prune", "--repo", repo.toString(),
                "--keep-last", "1");
        assertThat(ttl.exit()).as(ttl.toString()).isEqualTo(2);
        assertThat(ttl.err()).startsWith("error: ARCA_LEASE_TTL: '0s' is zero").doesNotContain("internal");
    }

    /** Fills a small file system to the last byte. */
    private static void fill(Path mount) throws Exception {
        byte[] block = new byte[4096];
        try (var out = Files.newOutputStream(mount.resolve("filler"))) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (java.io.IOException full) {
            assertThat(full.getMessage()).as("the file system is full").containsIgnoringCase("no space left");
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s (needs root, as the tests run here): %s", String.join(" ", command), output)
                .isZero();
    }

    private static Path repoWithABackup(Path dir) {
        Path repo = repo(dir.resolve("repo"));
        ArcaRun b = ArcaRun.of("backup", "--repo", repo.toString(), "--db", ArcaRun.url(PG.cluster(), "postgres"));
        assertThat(b.exit()).as(b.toString()).isZero();
        return repo;
    }
}
