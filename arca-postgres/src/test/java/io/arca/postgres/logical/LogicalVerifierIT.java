package io.arca.postgres.logical;

import io.arca.postgres.manifest.TestBackups;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.Progress;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The verifier recounts a custom archive's rows from its data blocks and compares them with the manifest. */
class LogicalVerifierIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String db;

    @BeforeAll
    static void load() {
        db = PG.createDatabase("verifysrc");
        PG.cluster().execute(db, "create table a (id int)", "insert into a select generate_series(1, 300)",
                "create table \"Mixed Case\" (id int)", "insert into \"Mixed Case\" values (1), (2)",
                "create table nothing (id int)");
    }

    @Test
    void recountedRowsMatchTheManifestUntilOneIsEdited(@TempDir Path dir) throws Exception {
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        BackupManifest m = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(db),
                LogicalBackupOptions.defaults(CodecSpec.defaults()));
        LogicalVerifier verifier = new LogicalVerifier(repo, PgBinaries.discover(List.of()), Progress.NONE);

        VerifyReport ok = verifier.verify(m);
        assertThat(ok.ok()).as(ok.toString()).isTrue();
        assertThat(ok.artifacts().get(0).checks()).contains("row counts");

        List<PostgresSection.TableInfo> edited = PostgresSection.database(m).tables().stream()
                .map(t -> t.name().equals("Mixed Case") ? new PostgresSection.TableInfo(t.schema(), t.name(), 3L) : t)
                .toList();
        BackupManifest tampered = withTables(m, edited);
        write(repo, tampered);

        VerifyReport bad = verifier.verify(tampered);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.artifacts().get(0).problem())
                .isEqualTo("table public.\"Mixed Case\": the manifest records 3 rows, the archive holds 2");

        List<PostgresSection.TableInfo> dropped = PostgresSection.database(m).tables().stream().filter(t -> !t.name().equals("a"))
                .toList();
        VerifyReport missing = verifier.verify(withTables(m, dropped));
        assertThat(missing.artifacts().get(0).problem())
                .isEqualTo("table public.a: the archive holds 300 rows of it, the manifest does not list it");
    }

    @Test
    void directoryBackupsAreRecountedFromTheLinesOfTheirDataFiles(@TempDir Path dir) throws Exception {
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        o = new LogicalBackupOptions(DumpFormat.DIRECTORY, 2, false, List.of(), List.of(), List.of(), true, o.codec(),
                Map.of(), dir.resolve("staging"));
        BackupManifest m = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(db), o);
        LogicalVerifier verifier = new LogicalVerifier(repo, PgBinaries.discover(List.of()), Progress.NONE);

        VerifyReport ok = verifier.verify(m);
        assertThat(ok.ok()).as(ok.toString()).isTrue();
        assertThat(ok.artifacts()).filteredOn(c -> c.name().startsWith(m.artifacts().stream()
                .filter(a -> a.name().endsWith("/toc.dat")).findFirst().orElseThrow().file()))
                .singleElement().satisfies(c -> assertThat(c.checks()).contains("row counts"));

        List<PostgresSection.TableInfo> edited = PostgresSection.database(m).tables().stream()
                .map(t -> t.name().equals("a") ? new PostgresSection.TableInfo(t.schema(), t.name(), 299L) : t)
                .toList();
        VerifyReport bad = verifier.verify(withTables(m, edited));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.artifacts()).filteredOn(c -> !c.ok()).singleElement().satisfies(c -> assertThat(c.problem())
                .isEqualTo("table public.a: the manifest records 299 rows, the archive holds 300"));
    }

    @Test
    void plainBackupsSayTheirRowsAreNotRecounted(@TempDir Path dir) {
        Repository repo = Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        LogicalBackupOptions o = LogicalBackupOptions.defaults(CodecSpec.defaults());
        o = new LogicalBackupOptions(DumpFormat.PLAIN, 1, false, List.of(), List.of(), List.of(), true, o.codec(),
                Map.of(), o.stagingDirectory());
        BackupManifest m = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(db), o);

        VerifyReport r = new LogicalVerifier(repo, PgBinaries.discover(List.of()), Progress.NONE).verify(m);

        assertThat(r.ok()).isTrue();
        assertThat(r.artifacts().get(0).checks()).contains("row counts not recounted in plain format");
    }

    private static BackupManifest withTables(BackupManifest m, List<PostgresSection.TableInfo> tables) {
        PostgresSection.DatabaseInfo d = PostgresSection.database(m);
        PostgresSection.DatabaseInfo info = new PostgresSection.DatabaseInfo(d.name(), d.host(), d.serverVersion(),
                d.systemIdentifier(), d.encoding(), d.timeline(), d.startLsn(), d.stopLsn(), d.rowCounts(), tables,
                d.migration(), d.selection());
        return TestBackups.withDatabase(m, info);
    }

    private static void write(Repository repo, BackupManifest m) throws Exception {
        try (StorageWriter w = repo.storage().openWrite(Repository.key(m.id(), Repository.MANIFEST_FILE),
                WriteOptions.DEFAULT)) {
            w.write(RepositoryJson.write(m));
            w.commit();
        }
    }
}
