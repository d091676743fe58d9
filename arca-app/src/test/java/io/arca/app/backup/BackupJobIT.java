package io.arca.app.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.app.RunHarness;
import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJobs;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.UsageException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.Section;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import io.arca.testkit.pg.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup jobs of a subject configured as in {@code arca.yaml}: its database (password from the
 * environment variable it names), a files source, labels, an encrypted repository (passphrase from
 * the environment) and an off-site copy; the physical job; and configuration mistakes, named.
 */
class BackupJobIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String database;

    @TempDir
    Path dir;

    private final RunHarness runs = new RunHarness();

    @BeforeAll
    static void load() {
        database = PG.createDatabase("shop");
        PG.cluster().execute(database, "create table orders as select g as id from generate_series(1, 500) g");
    }

    private ArcaConfig config(Path main, Path offsite, Map<String, Object> sources, String passwordEnv) {
        return new ArcaConfig(
                Map.of("main", new ArcaConfig.RepositoryEntry(main.toString(), null, null, "SHOP_PASSPHRASE", null, null),
                        "offsite", new ArcaConfig.RepositoryEntry(offsite.toString(), null, null, null, null, null)),
                Map.of("shop", new ArcaConfig.SubjectEntry(List.of("main", "offsite"), PG.url(database), passwordEnv,
                        sources, new ArcaConfig.Backup(null, null, null, "zstd:1", Map.of("team", "payments")), null,
                        null, null, null)),
                List.of(), null, null);
    }

    private static Map<String, String> environment() {
        return Map.of("SHOP_DB_PASSWORD", PG.cluster().password(), "SHOP_PASSPHRASE", "correct horse battery");
    }

    private Path initEncrypted(Path dir) {
        Repository.init(new LocalFileStorage(dir), new RepositoryConfig.Defaults("zstd:3"),
                EncryptionKeys.of(List.of(), "correct horse battery".toCharArray()), Clock.systemUTC());
        return dir;
    }

    @Test
    void theSubjectsBackupHoldsItsDatabaseAndFilesEncryptedInBothRepositories() throws Exception {
        Path main = initEncrypted(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));
        Path files = Files.createDirectories(dir.resolve("config"));
        Files.writeString(files.resolve("app.env"), "FEATURE=on\n");
        ArcaConfig config = config(main, offsite, Map.of("files", List.of(files.toString())), "SHOP_DB_PASSWORD");
        Subject shop = new Subject("shop", config.subjects().get("shop"), config, environment());

        BackupResult result = runs.run(RunRecord.Job.BACKUP, "shop", RunRecord.Trigger.SCHEDULE,
                ctx -> (BackupResult) SubjectJobs.of(RunRecord.Job.BACKUP).run(shop, ctx));

        BackupManifest m = result.manifest();
        assertThat(m.sections()).extracting(Section::source).containsExactly("postgresql.logical", "files");
        assertThat(PostgresSection.database(m).name()).isEqualTo(database);
        assertThat(m.labels()).containsEntry("subject", "shop").containsEntry("team", "payments");
        assertThat(m.artifacts()).allSatisfy(a -> {
            assertThat(a.encryption()).as(a.name()).isNotNull();
            assertThat(a.codecs().get(0)).isEqualTo("zstd:1");
        });
        assertThat(m.artifacts()).extracting(ArtifactRecord::name).contains("files/config.tar");
        assertThat(RunHarness.open(offsite).list()).extracting(BackupManifest::backupId).containsExactly(m.backupId());
        for (Path repo : List.of(main, offsite)) {
            assertThat(RunHarness.records(repo)).singleElement().satisfies(r -> {
                assertThat(r.job()).isEqualTo("backup");
                assertThat(r.subject()).isEqualTo("shop");
                assertThat(r.trigger()).isEqualTo("schedule");
                assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
                assertThat(r.backupId()).isEqualTo(m.backupId());
            });
        }
    }

    @Test
    void thePhysicalJobBacksUpTheClusterIntoTheFirstRepositoryAlone() {
        Path main = initEncrypted(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));
        ArcaConfig config = config(main, offsite, Map.of(), "SHOP_DB_PASSWORD");
        Subject shop = new Subject("shop", config.subjects().get("shop"), config, environment());

        BackupResult result = runs.run(RunRecord.Job.PHYSICAL_BACKUP, "shop", RunRecord.Trigger.SCHEDULE,
                ctx -> (BackupResult) SubjectJobs.of(RunRecord.Job.PHYSICAL_BACKUP).run(shop, ctx));

        assertThat(PostgresSection.kind(result.manifest())).isEqualTo(BackupKind.PHYSICAL);
        assertThat(result.manifest().labels()).containsEntry("subject", "shop");
        assertThat(RunHarness.open(main).list()).hasSize(1);
        assertThat(RunHarness.open(offsite).list()).isEmpty();
        assertThat(RunHarness.records(main)).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("physical-backup");
            assertThat(r.outcome()).isEqualTo(RunRecord.SUCCEEDED);
        });
        assertThat(RunHarness.records(offsite)).isEmpty();
    }

    @Test
    void configurationMistakesAreNamedBeforeAnythingRuns() {
        Path main = initEncrypted(dir.resolve("main"));
        Path offsite = RunHarness.init(dir.resolve("offsite"));
        ArcaConfig unset = config(main, offsite, Map.of(), "NOT_SET_ANYWHERE");
        Subject noPassword = new Subject("shop", unset.subjects().get("shop"), unset, environment());
        assertThatThrownBy(() -> new BackupJob(false).request(noPassword)).isInstanceOf(UsageException.class)
                .hasMessage("subject 'shop' in arca.yaml passwordEnv names the environment variable NOT_SET_ANYWHERE,"
                        + " which is not set");

        Map<String, Object> typo = new LinkedHashMap<>();
        typo.put("filez", List.of("/etc/hosts"));
        ArcaConfig wrong = config(main, offsite, typo, "SHOP_DB_PASSWORD");
        Subject badSource = new Subject("shop", wrong.subjects().get("shop"), wrong, environment());
        assertThatThrownBy(() -> new BackupJob(false).request(badSource)).isInstanceOfSatisfying(UsageException.class,
                e -> {
                    assertThat(e.getMessage()).isEqualTo("subject 'shop' in arca.yaml has the unknown source option"
                            + " 'filez'");
                    assertThat(e.hint()).contains("files");
                });
        assertThat(RunHarness.records(main)).isEmpty();
    }
}
