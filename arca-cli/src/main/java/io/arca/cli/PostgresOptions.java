package io.arca.cli;

import io.arca.postgres.local.PgBinaries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where to find PostgreSQL programs. */
final class PostgresOptions {
    @Option(names = "--pg-bin", paramLabel = "DIR",
            description = "Directory with PostgreSQL programs (pg_dump, pg_restore, psql); searched before PATH and /usr/lib/postgresql/*/bin. Repeatable.")
    List<Path> pgBin = new ArrayList<>();

    PgBinaries binaries() {
        return PgBinaries.discover(pgBin);
    }
}
