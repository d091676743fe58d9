package io.arca.cli;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.repo.BackupId;
import io.arca.postgres.manifest.BackupKind;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code arca status} on local repositories whose backups and drill records are written through the
 * repository API at chosen times: no PostgreSQL, no key.
 */
class StatusIT {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;
    String repo;

    @BeforeEach
    void init() {
        repo = dir.resolve("repo").toString();
        ArcaRun r = ArcaRun.of("init", "--repo", repo);
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void everyObjectiveMetExits0() {
        String backup = backup("app", hours(2));
        drill("app", Duration.ofDays(1), Duration.ofMinutes(70), null);

        ArcaRun r = status("--rpo", "24h", "--rto", "4h");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("app +" + backup + " +2h +24h +pass, 24h ago +1h 10m +4h +ok");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aBackupOlderThanTheRpoExits1AndSaysSo() {
        backup("app", hours(30));
        backupWithLabels("app", hours(1), Map.of("purpose", "safety"));
        drill("app", hours(3), hours(1), null);

        ArcaRun r = status("--rpo", "24h");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("newest backup is 30h old, RPO is 24h");
        assertThat(r.err()).contains("error: recovery objectives missed: 'app': newest backup is 30h old, RPO is 24h")
                .contains("hint: take a backup with 'arca backup'").contains("code: ARCA-1009");
    }

    @Test
    void aFailedLastDrillExits1() {
        backup("app", hours(1));
        drill("app", Duration.ofDays(2), hours(1), null);
        String failed = drill("app", hours(5), null, "table public.orders: expected 1200 rows, found 0");

        ArcaRun r = status();

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("fail, 5h ago")
                .contains("last drill " + failed + " failed: table public.orders: expected 1200 rows, found 0");
        assertThat(r.err()).contains("'app': last drill " + failed + " failed").contains("run 'arca drill'");
    }

    @Test
    void aMeasuredRecoveryTimeAboveTheRtoExits1() {
        backup("app", hours(1));
        String slow = drill("app", hours(12), hours(5).plusMinutes(2), null);

        ArcaRun r = status("--rto", "4h");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("measured RTO 5h 2m exceeds the RTO of 4h (drill " + slow + ")");
        assertThat(status("--rto", "6h").exit()).isZero();
    }

    @Test
    void noDrillPassedInThePeriodExits1UnlessTurnedOff() {
        backup("app", hours(1));
        drill("app", Duration.ofDays(8), hours(1), null);

        ArcaRun r = status();

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("no drill passed in the last 7d");
        assertThat(status("--drill-within", "10d").exit()).isZero();
        assertThat(status("--drill-within", "none").exit()).isZero();
    }

    @Test
    void savedObjectivesApplyToLaterRunsAndFlagsOverrideThem() {
        backup("app", hours(30));
        drill("app", hours(3), hours(1), null);

        ArcaRun save = status("--save", "--rpo", "24h", "--rto", "4h");

        assertThat(save.exit()).as("the check runs with what was saved: " + save).isEqualTo(1);
        assertThat(save.out()).contains("saved objectives for '*'").contains("newest backup is 30h old, RPO is 24h");
        assertThat(savedObjectives()).containsExactly(Map.entry("*", new RepositoryConfig.Objectives("24h", "4h", null)));

        ArcaRun later = status();
        assertThat(later.exit()).as(later.toString()).isEqualTo(1);
        assertThat(later.out()).contains("newest backup is 30h old, RPO is 24h");
        assertThat(status("--rpo", "36h").exit()).isZero();

        // saving again changes only what is given
        assertThat(status("--save", "--drill-within", "14d", "--rpo", "2d").exit()).isZero();
        assertThat(savedObjectives()).containsExactly(Map.entry("*", new RepositoryConfig.Objectives("2d", "4h", "14d")));
    }

    @Test
    void aDatabaseEntryOverridesTheEntryForEveryDatabase() {
        backup("app", hours(30));
        backup("archive", hours(30));
        drill("app", hours(3), hours(1), null);
        drill("archive", hours(3), hours(1), null);
        assertThat(status("--save", "--rpo", "24h").exit()).isEqualTo(1);

        ArcaRun save = status("--save", "--database", "archive", "--rpo", "48h");

        assertThat(save.exit()).as(save.toString()).isZero();
        assertThat(savedObjectives()).containsExactly(
                Map.entry("*", new RepositoryConfig.Objectives("24h", null, null)),
                Map.entry("archive", new RepositoryConfig.Objectives("48h", null, null)));
        ArcaRun all = status();
        assertThat(all.exit()).as(all.toString()).isEqualTo(1);
        assertThat(all.out()).containsPattern("archive .* 30h +2d .* ok");
        assertThat(all.err()).contains("'app': newest backup is 30h old").doesNotContain("'archive'");
        assertThat(status("--database", "archive").exit()).isZero();
    }

    @Test
    void aDatabaseNamedInSavedObjectivesIsCheckedWithoutBackups() {
        backup("app", hours(1));
        drill("app", hours(3), hours(1), null);
        assertThat(status("--save", "--database", "billing", "--rpo", "24h").exit()).isEqualTo(1);

        ArcaRun r = status();

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).containsPattern("billing .* no backup; no drill passed in the last 7d");
        assertThat(r.err()).contains("'billing': no backup").contains("arca backup").contains("arca drill");
    }

    @Test
    void jsonOutputListsEveryDatabaseEvenWhenAnObjectiveIsMissed() {
        String backup = backup("app", hours(30));
        String drill = drill("app", hours(3), Duration.ofMinutes(90), null);
        backup("shop", hours(1));

        ArcaRun r = status("--rpo", "24h", "--rto", "4h", "-o", "json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("error: recovery objectives missed");
        JsonNode rows = json(r.out());
        assertThat(rows).hasSize(2);
        JsonNode app = rows.get(0);
        assertThat(app.get("database").asText()).isEqualTo("app");
        assertThat(app.get("ok").asBoolean()).isFalse();
        assertThat(app.get("problems")).hasSize(1);
        assertThat(app.get("problems").get(0).asText()).isEqualTo("newest backup is 30h old, RPO is 24h");
        assertThat(app.get("backupId").asText()).isEqualTo(backup);
        assertThat(app.get("backupAgeSeconds").asLong()).isBetween(30 * 3600L, 30 * 3600L + 60);
        assertThat(app.get("rpoSeconds").asLong()).isEqualTo(24 * 3600L);
        assertThat(app.get("rpoMet").asBoolean()).isFalse();
        assertThat(app.get("lastDrillId").asText()).isEqualTo(drill);
        assertThat(app.get("lastDrillVerdict").asText()).isEqualTo("pass");
        assertThat(app.get("lastPassedDrillId").asText()).isEqualTo(drill);
        assertThat(app.get("measuredRtoMillis").asLong()).isEqualTo(90 * 60_000L);
        assertThat(app.get("rtoSeconds").asLong()).isEqualTo(4 * 3600L);
        assertThat(app.get("rtoMet").asBoolean()).isTrue();
        assertThat(app.get("drillWithinSeconds").asLong()).isEqualTo(7 * 86_400L);
        assertThat(app.get("drillWithinMet").asBoolean()).isTrue();
        JsonNode shop = rows.get(1);
        assertThat(shop.get("database").asText()).isEqualTo("shop");
        assertThat(shop.get("rpoMet").asBoolean()).isTrue();
        assertThat(shop.has("lastDrillId")).isFalse();
        assertThat(shop.get("problems").get(0).asText()).isEqualTo("no drill passed in the last 7d");
    }

    @Test
    void badDurationsAreUsageErrorsOnOneLine() {
        ArcaRun r = status("--rpo", "1 day");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --rpo: invalid duration '1 day': use e.g. 24h, 4h, 7d, or none")
                .contains("hint: ");
        assertThat(r.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        assertThat(status("--drill-within", "0d").exit()).isEqualTo(2);
        assertThat(status("--save").exit()).as("--save without objectives").isEqualTo(2);
        assertThat(savedObjectives()).isNull();
    }

    @Test
    void anEmptyRepositoryHasNothingToCheckUnlessADatabaseIsNamed() {
        ArcaRun r = status();

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("nothing to check");
        ArcaRun named = status("--database", "app");
        assertThat(named.exit()).as(named.toString()).isEqualTo(1);
        assertThat(named.err()).contains("'app': no backup");
    }

    @Test
    void objectivesOnARepositoryWithoutAnyBackupExit1() {
        ArcaRun r = status("--rpo", "36h");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("nothing to check").contains("no backup of any database");
        assertThat(r.err()).contains("error: recovery objectives missed: no backup of any database in ")
                .contains("code: ARCA-1009");
        JsonNode rows = json(status("--rpo", "36h", "-o", "json").out());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("ok").asBoolean()).isFalse();
        assertThat(rows.get(0).get("rpoMet").asBoolean()).isFalse();

        // saved objectives are objectives too
        assertThat(status("--save", "--rto", "4h").exit()).isEqualTo(1);
        ArcaRun later = status();
        assertThat(later.exit()).as(later.toString()).isEqualTo(1);
        assertThat(later.err()).contains("no backup of any database");
    }

    @Test
    void aSubSecondRecoveryTimePrintsWithItsFraction() {
        backup("app", hours(1));
        drill("app", hours(2), Duration.ofMillis(420), null);

        ArcaRun r = status("--rto", "4h");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("app .* pass, 2h ago +0\\.42s +4h +ok");
        assertThat(status("--rto", "4h", "-o", "json").out()).contains("\"measuredRtoMillis\" : 420");
    }

    @Test
    void saveSaysWhatItSavedAndWhatIsCheckedFromNowOn() {
        backup("app", hours(1));
        drill("app", hours(2), hours(1), null);

        ArcaRun save = status("--save", "--rpo", "24h");

        assertThat(save.exit()).as(save.toString()).isZero();
        assertThat(save.out()).containsPattern("saved objectives for '\\*' in \\S+: rpo 24h\n")
                .doesNotContain("unset")
                .contains("checked from now on for every database: rpo 24h (saved for '*'), rto not checked,"
                        + " drill-within 7d (default)");
        ArcaRun one = status("--save", "--database", "app", "--drill-within", "3d");
        assertThat(one.out()).containsPattern("saved objectives for 'app' in \\S+: drill-within 3d\n")
                .contains("checked from now on for 'app': rpo 24h (saved for '*'), rto not checked,"
                        + " drill-within 3d (saved for 'app')");
        ArcaRun off = status("--save", "--rto", "none");
        assertThat(off.out()).contains(": rpo 24h, rto none\n").contains("rto not checked");
    }

    @Test
    void helpSaysWhatIsCheckedAndWhenItExitsNonZero() {
        ArcaRun r = ArcaRun.of("status", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("RPO", "RTO", "drill-within", "Exits 0 when every objective is met, 1 (ARCA-1009)",
                "--rpo", "--rto", "--drill-within", "--database", "--save", "--output");
    }

    // setup: backups and drills written through the repository API, at times before now

    private ArcaRun status(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "status";
        all[1] = "--repo";
        all[2] = repo;
        System.arraycopy(args, 0, all, 3, args.length);
        return ArcaRun.of(all);
    }

    private static Duration hours(long h) {
        return Duration.ofHours(h);
    }

    /** A complete logical backup of {@code database} that started {@code ago} before now; its id. */
    private String backup(String database, Duration ago) {
        return backupWithLabels(database, ago, Map.of());
    }

    private String backupWithLabels(String database, Duration ago, Map<String, String> labels) {
        try (Storage storage = storage()) {
            Repository r = Repository.open(storage, Clock.fixed(NOW.minus(ago), ZoneOffset.UTC));
            Repository.PendingBackup pending = r.begin();
            var info = new PostgresSection.DatabaseInfo(database, "db:5432", "15.8", "7300000000000000001", "UTF8", null,
                    null, null, false, List.of(), null);
            BackupManifest m = pending.commit(BackupManifest.builder().labels(labels).tool("arca", "test")
                    .part(new io.arca.core.source.BackupPart(PostgresSection.section(BackupKind.LOGICAL, info, null,
                            List.of()), List.of(), null, null)));
            return m.backupId();
        }
    }

    /**
     * The evidence of a drill of {@code database} that started {@code ago} before now: passed with
     * the measured recovery time {@code rto}, or failed with {@code failure}; its id.
     */
    private String drill(String database, Duration ago, Duration rto, String failure) {
        Instant start = NOW.minus(ago);
        try (Storage storage = storage()) {
            Repository r = Repository.open(storage, Clock.fixed(start, ZoneOffset.UTC));
            BackupId id = r.newDrillId();
            Instant backupStart = start.minus(hours(1));
            r.writeDrill(new DrillRecord(RepositoryConfig.FORMAT_VERSION, id.value(), r.config().repositoryId(),
                    "20200101T000000Z-00000000", database, start, start.plus(rto == null ? Duration.ofMinutes(1) : rto),
                    backupStart, 3600, new DrillRecord.Scratch("ephemeral-cluster", "15.8", null, "arca_drill"),
                    Map.of("arca", "test"), Map.of(), rto == null ? null : rto.toMillis(), null, List.of(), null,
                    List.of(), failure == null ? DrillRecord.PASS : DrillRecord.FAIL, failure));
            return id.value();
        }
    }

    private Map<String, RepositoryConfig.Objectives> savedObjectives() {
        try (Storage storage = storage()) {
            RepositoryConfig.Defaults defaults = Repository.open(storage, Clock.systemUTC()).config().defaults();
            return defaults == null ? null : defaults.objectives();
        }
    }

    private Storage storage() {
        return Storages.open(StorageUrl.parse(repo));
    }

    private static JsonNode json(String text) {
        try {
            return RepositoryJson.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
