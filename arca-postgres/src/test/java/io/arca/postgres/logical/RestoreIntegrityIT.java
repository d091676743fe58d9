package io.arca.postgres.logical;

import io.arca.postgres.manifest.TestBackups;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.local.PgBinaries;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore engines against a manifest whose stored SHA-256 differs from the artifact: the
 * parallel, selective and serial restores and the drill fail with VERIFICATION_FAILED naming the
 * artifact, the database the restore created is dropped, and the drill records FAIL.
 */
class RestoreIntegrityIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path dir;
    static Repository repo;
    static BackupManifest good;
    static BackupManifest tampered;

    @BeforeAll
    static void backUp() {
        String db = PG.createDatabase("integrity");
        PG.cluster().execute(db, "create table t (id int primary key, v text); insert into t select g, md5(g::text)"
                + " from generate_series(1, 20000) g; create table u as select g from generate_series(1, 500) g");
        repo = Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
        good = new LogicalBackup(repo, PgBinaries.discover(List.of()), Progress.NONE).run(PG.settings(db),
                LogicalBackupOptions.defaults(CodecSpec.defaults()));
        List<ArtifactRecord> artifacts = new ArrayList<>();
        for (ArtifactRecord a : good.artifacts()) {
            String sha = a.storedSha256();
            String flipped = sha.substring(0, 5) + (sha.charAt(5) == '0' ? '1' : '0') + sha.substring(6);
            artifacts.add(new ArtifactRecord(a.name(), a.source(), a.format(), a.file(), a.size(), a.sha256(),
                    a.storedSize(), flipped, a.codecs(), a.seekPoints(), a.encryption()));
        }
        tampered = TestBackups.withArtifacts(good, artifacts);
    }

    private static LogicalRestore restore() {
        return new LogicalRestore(repo, PgBinaries.discover(List.of()), Progress.NONE);
    }

    private static LogicalRestoreOptions options(int jobs, List<String> tables) {
        return new LogicalRestoreOptions(false, false, jobs, tables, List.of(), true, true);
    }

    private static boolean exists(String database) throws Exception {
        try (Connection c = PG.connect("postgres"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
            return rs.next();
        }
    }

    @Test
    void aGoodBackupRestoresInParallel() throws Exception {
        restore().run(good, PG.settings("integrity_good"), options(2, List.of()));
        try (Connection c = PG.connect("integrity_good"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(20000);
        }
    }

    @Test
    void everyRestorePathRefusesAStoredSha256ThatDiffers() throws Exception {
        String file = tampered.artifacts().get(0).file();
        record Case(String database, int jobs, List<String> tables) {
        }
        for (Case c : List.of(new Case("integrity_j2", 2, List.of()), new Case("integrity_table", 1, List.of("t")),
                new Case("integrity_j1", 1, List.of()))) {
            assertThatThrownBy(() -> restore().run(tampered, PG.settings(c.database()), options(c.jobs(), c.tables())))
                    .as(c.toString())
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                        assertThat(e.getMessage()).contains(file).contains("sha-256");
                    });
            assertThat(exists(c.database())).as(c + ": database the failed restore created").isFalse();
        }
    }

    @Test
    void theDrillRecordsFail() {
        RestoreDrill drill = new RestoreDrill(repo, PgBinaries.discover(List.of()), Progress.NONE);
        assertThatThrownBy(() -> drill.run(tampered, new DrillOptions(PG.settings("postgres"), 2, List.of(), null)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        DrillRecord evidence = repo.drills().get(0);
        assertThat(evidence.backupId()).isEqualTo(tampered.backupId());
        assertThat(evidence.verdict()).isEqualTo(DrillRecord.FAIL);
        assertThat(evidence.failure()).contains(tampered.artifacts().get(0).file());
    }
}
