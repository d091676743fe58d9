package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LogicalBackupIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void noPgDumpFittingTheServerIsAClearErrorAndLeavesNothing(@TempDir Path dir) throws Exception {
        // A pg_dump that reports an older major than the server: pg_dump refuses newer servers.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fake = bin.resolve("pg_dump");
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 14.11'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalFileStorage storage = new LocalFileStorage(dir.resolve("repo"));
        Repository repo = Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        String db = PG.createDatabase("nodump");

        LogicalBackup backup = new LogicalBackup(repo, PgBinaries.only(List.of(bin)), Progress.NONE);
        assertThatThrownBy(() -> backup.run(PG.settings(db), LogicalBackupOptions.defaults(CodecSpec.defaults())))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("no pg_dump for PostgreSQL 15 found").contains("14.11");
                    assertThat(e.hint()).contains("--pg-bin");
                });
        Repository.Catalog catalog = repo.catalog();
        assertThat(catalog.backups()).isEmpty();
        assertThat(catalog.incomplete()).isEmpty();
    }

    @Test
    void rowCountsCanBeTurnedOff(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("nocount");
        PG.cluster().execute(db, "create table t as select g from generate_series(1, 1000) g");
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        o = new LogicalBackupOptions(o.format(), o.jobs(), o.globals(), o.tables(), o.excludeTables(), o.schemas(),
                false, o.codec(), o.labels(), o.stagingDirectory());
        BackupManifest m = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(db), o);
        assertThat(PostgresSection.database(m).rowCounts()).isFalse();
        assertThat(PostgresSection.database(m).tables()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("t");
            assertThat(t.rows()).isNull();
        });
    }
}
