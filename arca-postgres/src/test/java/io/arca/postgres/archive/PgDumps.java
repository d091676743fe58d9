package io.arca.postgres.archive;

import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.local.ToolProcess;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real pg_dump and pg_restore for the integration tests. */
final class PgDumps {

    private PgDumps() {
    }

    static Path program(String name) {
        return PgBinaries.discover(List.of()).require(name, PostgresExtension.DEFAULT_MAJOR);
    }

    /**
     * {@code pg_dump -Fc -Z0} of {@code db} read from its standard output, a pipe, as Arca's
     * backup reads it: the TOC records no data offsets.
     */
    static byte[] customThroughPipe(ConnectionSettings db, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--format=custom", "--compress=0"));
        args.addAll(List.of(extraArgs));
        ToolProcess p = start(db, args.toArray(String[]::new));
        try (InputStream in = p.stdout()) {
            byte[] bytes = in.readAllBytes();
            p.waitForSuccess("pg_dump");
            return bytes;
        } finally {
            p.close();
        }
    }

    /** As {@link #customThroughPipe}, streamed into {@code file}. */
    static void customThroughPipe(ConnectionSettings db, Path file) throws IOException {
        ToolProcess p = start(db, "--format=custom", "--compress=0");
        try (InputStream in = p.stdout(); OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
            p.waitForSuccess("pg_dump");
        } finally {
            p.close();
        }
    }

    /** {@code pg_dump -Fc -Z0 -f file}: pg_dump seeks back and records the data offsets. */
    static void customToFile(ConnectionSettings db, Path file) {
        run(start(db, "--format=custom", "--compress=0", "--file=" + file), "pg_dump");
    }

    /** {@code pg_dump -Fd -f dir}. */
    static void directory(ConnectionSettings db, Path dir) {
        run(start(db, "--format=directory", "--file=" + dir), "pg_dump");
    }

    /** {@code pg_dump -Fp} to standard output. */
    static byte[] plain(ConnectionSettings db) throws IOException {
        ToolProcess p = start(db, "--format=plain");
        try (InputStream in = p.stdout()) {
            byte[] bytes = in.readAllBytes();
            p.waitForSuccess("pg_dump");
            return bytes;
        } finally {
            p.close();
        }
    }

    /** {@code pg_restore --list} of an archive file. */
    static String list(Path archive) throws IOException {
        ToolProcess p = ToolProcess.builder(program("pg_restore")).args("--list", archive.toString()).noStdin().start();
        try (InputStream in = p.stdout()) {
            String listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            p.waitForSuccess("pg_restore");
            return listing;
        } finally {
            p.close();
        }
    }

    /** Runs pg_restore itself on an archive file into {@code target}. */
    static void pgRestore(Path archive, ConnectionSettings target, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--exit-on-error");
        all.add("--no-password");
        all.add("--dbname=" + target.libpqConninfo());
        all.add(archive.toString());
        run(ToolProcess.builder(program("pg_restore")).args(all).environment(target.libpqEnvironment())
                .noStdin().discardStdout().start(), "pg_restore");
    }

    /**
     * Runs pg_restore without {@code --exit-on-error}: it carries on past failing statements and
     * exits with 1 when there were any.
     *
     * @return pg_restore's exit code
     */
    static int pgRestoreIgnoringErrors(Path archive, ConnectionSettings target, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--no-password");
        all.add("--dbname=" + target.libpqConninfo());
        all.add(archive.toString());
        ToolProcess p = ToolProcess.builder(program("pg_restore")).args(all).environment(target.libpqEnvironment())
                .noStdin().discardStdout().start();
        try {
            return p.waitFor();
        } finally {
            p.close();
        }
    }

    private static ToolProcess start(ConnectionSettings db, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--no-password");
        all.add("--dbname=" + db.libpqConninfo());
        return ToolProcess.builder(program("pg_dump")).args(all).environment(db.libpqEnvironment()).noStdin().start();
    }

    private static void run(ToolProcess p, String what) {
        try {
            p.waitForSuccess(what);
        } finally {
            p.close();
        }
    }
}
