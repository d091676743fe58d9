package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolProcessTest {

    private static ArcaException classify(String stderr) {
        return ToolProcess.classify("pg_dump", 1, List.of(stderr.split("\n")));
    }

    @Test
    void connectionProblemsArePgConnection() {
        ArcaException e = classify("""
                pg_dump: error: connection to server at "127.0.0.1", port 1 failed: Connection refused
                \tIs the server running on that host and accepting TCP/IP connections?""");
        assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
        assertThat(e.getMessage()).isEqualTo("pg_dump cannot connect to PostgreSQL: error: connection to server at "
                + "\"127.0.0.1\", port 1 failed: Connection refused");
        assertThat(e.hint()).isEqualTo("check that the server is running and that host and port are right");
        assertThat(classify("pg_dump: error: could not translate host name \"nohost\" to address: Name or service not known")
                .code()).isEqualTo(ErrorCode.PG_CONNECTION);
        assertThat(classify("pg_dump: error: connection to server at \"10.1.1.1\", port 5432 failed: timeout expired")
                .code()).isEqualTo(ErrorCode.PG_CONNECTION);
    }

    @Test
    void credentialProblemsArePgAuthentication() {
        ArcaException e = classify("pg_dump: error: connection to server at \"h\", port 5432 failed: FATAL:  "
                + "password authentication failed for user \"app\"");
        assertThat(e.code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
        assertThat(e.hint()).contains("PGPASSWORD").contains("ARCA_DB_PASSWORD").contains("~/.pgpass");
        assertThat(classify("pg_dump: error: connection to server at \"h\", port 5432 failed: fe_sendauth: no password supplied")
                .code()).isEqualTo(ErrorCode.PG_AUTHENTICATION);
    }

    @Test
    void missingDatabaseIsPgDatabaseMissing() {
        ArcaException e = classify("pg_dump: error: connection to server at \"h\", port 5432 failed: FATAL:  "
                + "database \"shop\" does not exist");
        assertThat(e.code()).isEqualTo(ErrorCode.PG_DATABASE_MISSING);
        assertThat(e.getMessage()).isEqualTo("database 'shop' does not exist (reported by pg_dump)");
    }

    @Test
    void versionMismatchIsToolNotFoundWithTheServerVersion() {
        ArcaException e = classify("""
                pg_dump: error: aborting because of server version mismatch
                pg_dump: detail: server version: 16.4 (Debian 16.4-1.pgdg120+1); pg_dump version: 15.18 (Debian 15.18-0+deb12u1)""");
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("pg_dump is older than the server: PostgreSQL 16.4 (server version mismatch)");
        assertThat(e.hint()).isEqualTo("install the PostgreSQL 16 client tools (Debian: apt-get install "
                + "postgresql-client-16) or pass --pg-bin DIR");
    }

    @Test
    void anythingElseIsToolFailedWithTheLastErrorLine() {
        ArcaException e = classify("""
                pg_dump: last built-in OID is 16383
                pg_dump: error: query failed: ERROR:  permission denied for table secrets
                pg_dump: detail: Query was: LOCK TABLE public.secrets IN ACCESS SHARE MODE""");
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
        assertThat(e.getMessage()).isEqualTo("pg_dump failed (exit 1): error: query failed: ERROR:  permission "
                + "denied for table secrets");
        assertThat(e.hint()).isEqualTo("run with --debug to see the full output");
        assertThat(ToolProcess.classify("pg_restore", 3, List.of("", "  ")).getMessage())
                .isEqualTo("pg_restore failed (exit 3)");
        assertThat(ToolProcess.classify("psql", 2, List.of("something odd", "\tcontinued")).getMessage())
                .isEqualTo("psql failed (exit 2): something odd");
    }

    @Test
    void runsAProgramAndClassifiesItsFailure() {
        ToolProcess p = ToolProcess.builder("/bin/sh")
                .args("-c", "echo out; echo 'sh: error: it broke' >&2; exit 3")
                .discardStdout().noStdin().start();
        assertThatThrownBy(() -> p.waitForSuccess("sh"))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
                    assertThat(e.getMessage()).isEqualTo("sh failed (exit 3): error: it broke");
                });
        assertThat(p.stderrLines()).containsExactly("sh: error: it broke");
    }

    @Test
    void stdinAndStdoutArePipesAndEnvironmentIsPassed() throws Exception {
        try (ToolProcess p = ToolProcess.builder("/bin/sh").args("-c", "tr a-z A-Z; echo \"$ARCA_TEST_VAR\"")
                .environment("ARCA_TEST_VAR", "from-env").start()) {
            try (OutputStream in = p.stdin()) {
                in.write("hello\n".getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            p.waitForSuccess("sh");
            assertThat(out).isEqualTo("HELLO\nfrom-env\n");
        }
    }

    @Test
    void stdoutCanGoToAFile(@TempDir Path dir) {
        Path file = dir.resolve("out.txt");
        ToolProcess p = ToolProcess.builder("/bin/sh").args("-c", "printf 'data'").stdoutTo(file).start();
        p.waitForSuccess("sh");
        assertThat(file).hasContent("data");
    }

    @Test
    void stderrIsBoundedAndForwarded() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ToolProcess p = ToolProcess.builder("/bin/sh")
                .args("-c", "i=1; while [ $i -le 200 ]; do echo line$i >&2; i=$((i+1)); done; "
                        + "head -c 10000 /dev/zero | tr '\\0' x >&2")
                .stderrListener(seen::add).discardStdout().start();
        assertThat(p.waitFor()).isZero();
        List<String> lines = p.stderrLines();
        assertThat(lines).hasSize(ToolProcess.STDERR_LINES);
        assertThat(lines.get(0)).isEqualTo("line152");
        assertThat(lines.get(48)).isEqualTo("line200");
        assertThat(lines.get(49)).hasSize(ToolProcess.MAX_LINE_CHARS + 3).endsWith("...");
        assertThat(seen).hasSize(201).startsWith("line1", "line2");
    }

    @Test
    void destroyKillsTheProcess() {
        ToolProcess p = ToolProcess.builder("/bin/sleep").args("60").start();
        assertThat(p.isAlive()).isTrue();
        long started = System.nanoTime();
        p.destroy();
        assertThat(p.isAlive()).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
        assertThat(p.waitFor()).isEqualTo(128 + 15);
    }

    @Test
    void aMissingProgramIsToolNotFound(@TempDir Path dir) {
        assertThatThrownBy(() -> ToolProcess.builder(dir.resolve("pg_nothing")).start())
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("cannot run '" + dir.resolve("pg_nothing") + "'");
                });
        assertThat(Files.exists(dir.resolve("pg_nothing"))).isFalse();
    }

    @Test
    void failuresCarryTheToolsLastLinesAsCauseForDebug() {
        ArcaException e = ToolProcess.classify("pg_restore", 1,
                List.of("pg_restore: error: could not execute query: ERROR:  role \"app\" does not exist",
                        "Command was: ALTER TABLE public.t OWNER TO app;"));
        assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
        assertThat(e.getCause()).isInstanceOf(ToolProcess.Output.class)
                .hasMessageContaining("Command was: ALTER TABLE public.t OWNER TO app;");
    }
}
