package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.error.ErrorCode;
import io.arca.testkit.pg.PostgresExtension;
import java.net.ServerSocket;
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
}
