package io.arca.core.repo.status;

import static io.arca.core.repo.status.Evidence.backup;
import static io.arca.core.repo.status.Evidence.failed;
import static io.arca.core.repo.status.Evidence.partial;
import static io.arca.core.repo.status.Evidence.passed;
import static io.arca.core.repo.status.Evidence.safety;
import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecoveryStatusTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final RecoveryObjectives DAILY = new RecoveryObjectives(hours(24), hours(4), Duration.ofDays(7));

    private static Duration hours(long h) {
        return Duration.ofHours(h);
    }

    private static Instant ago(Duration d) {
        return NOW.minus(d);
    }

    private static DatabaseStatus judge(List<BackupManifest> backups, List<DrillRecord> drills,
            RecoveryObjectives objectives) {
        RecoveryStatus status = RecoveryStatus.of(Set.of("app"), backups, drills, db -> objectives, NOW);
        assertThat(status.databases()).hasSize(1);
        return status.databases().get(0);
    }

    @Test
    void everyObjectiveMetIsOk() {
        BackupManifest older = backup("app", ago(hours(26)));
        BackupManifest newest = backup("app", ago(hours(2)));
        DrillRecord drill = passed("app", ago(Duration.ofDays(1)), Duration.ofMinutes(70));

        DatabaseStatus s = judge(List.of(older, newest), List.of(drill), DAILY);

        assertThat(s.ok()).isTrue();
        assertThat(s.problems()).isEmpty();
        assertThat(s.newestBackup()).isEqualTo(newest);
        assertThat(s.backupAge()).isEqualTo(hours(2));
        assertThat(s.rpoMet()).isTrue();
        assertThat(s.lastDrill()).isEqualTo(drill);
        assertThat(s.lastPass()).isEqualTo(drill);
        assertThat(s.measuredRto()).isEqualTo(Duration.ofMinutes(70));
        assertThat(s.rtoMet()).isTrue();
        assertThat(s.drillWithinMet()).isTrue();
    }

    @Test
    void limitsAreInclusive() {
        DatabaseStatus s = judge(List.of(backup("app", ago(hours(24)))),
                List.of(passed("app", ago(Duration.ofDays(7)), hours(4))), DAILY);

        assertThat(s.problems()).isEmpty();
    }

    @Test
    void noBackupIsAProblemAndSafetyBackupsDoNotCount() {
        DatabaseStatus s = judge(List.of(safety("app", ago(hours(1))), backup("other", ago(hours(1)))),
                List.of(passed("app", ago(hours(5)), hours(1))), DAILY);

        assertThat(s.newestBackup()).isNull();
        assertThat(s.backupAge()).isNull();
        assertThat(s.rpoMet()).isFalse();
        assertThat(s.backupProblems()).containsExactly("no backup");
        assertThat(s.drillProblems()).isEmpty();
        assertThat(s.ok()).isFalse();
    }

    @Test
    void noBackupIsAProblemEvenWithoutAnRpo() {
        DatabaseStatus s = judge(List.of(), List.of(passed("app", ago(hours(5)), hours(1))),
                new RecoveryObjectives(null, null, null));

        assertThat(s.rpoMet()).isNull();
        assertThat(s.problems()).containsExactly("no backup");
    }

    @Test
    void aBackupOlderThanTheRpoIsAProblem() {
        DatabaseStatus s = judge(List.of(backup("app", ago(hours(30))), safety("app", ago(hours(1)))),
                List.of(passed("app", ago(hours(5)), hours(1))), DAILY);

        assertThat(s.backupAge()).isEqualTo(hours(30));
        assertThat(s.rpoMet()).isFalse();
        assertThat(s.problems()).containsExactly("newest backup is 30h old, RPO is 24h");
    }

    @Test
    void withoutAnRpoTheAgeIsNotChecked() {
        DatabaseStatus s = judge(List.of(backup("app", ago(Duration.ofDays(400)))),
                List.of(passed("app", ago(hours(5)), hours(1))), new RecoveryObjectives(null, hours(4), hours(24)));

        assertThat(s.rpoMet()).isNull();
        assertThat(s.backupAge()).isEqualTo(Duration.ofDays(400));
        assertThat(s.ok()).isTrue();
    }

    @Test
    void aFailedLastDrillIsAProblemEvenAfterEarlierPasses() {
        DrillRecord pass = passed("app", ago(Duration.ofDays(3)), hours(1));
        DrillRecord fail = failed("app", ago(hours(6)), "table public.orders: expected 1200 rows, found 0");

        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(pass, fail), DAILY);

        assertThat(s.lastDrill()).isEqualTo(fail);
        assertThat(s.lastPass()).isEqualTo(pass);
        assertThat(s.drillWithinMet()).isTrue();
        assertThat(s.rtoMet()).isTrue();
        assertThat(s.problems()).containsExactly(
                "last drill " + fail.drillId() + " failed: table public.orders: expected 1200 rows, found 0");
    }

    @Test
    void aFailedDrillWithoutFailureTextSaysFailed() {
        DrillRecord fail = failed("app", ago(hours(6)), null);

        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))),
                List.of(fail, passed("app", ago(hours(8)), hours(1))), DAILY);

        assertThat(s.problems()).containsExactly("last drill " + fail.drillId() + " failed");
    }

    @Test
    void aMeasuredRecoveryTimeAboveTheRtoIsAProblem() {
        DrillRecord slow = passed("app", ago(hours(10)), hours(5).plusMinutes(2).plusSeconds(40));

        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(slow), DAILY);

        assertThat(s.measuredRto()).isEqualTo(hours(5).plusMinutes(2).plusSeconds(40));
        assertThat(s.rtoMet()).isFalse();
        assertThat(s.problems()).containsExactly(
                "measured RTO 5h 2m exceeds the RTO of 4h (drill " + slow.drillId() + ")");
    }

    @Test
    void theRtoIsJudgedOnTheNewestPassingDrill() {
        DrillRecord slowOld = passed("app", ago(Duration.ofDays(2)), hours(9));
        DrillRecord fastNew = passed("app", ago(Duration.ofDays(1)), hours(1));

        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(fastNew, slowOld), DAILY);

        assertThat(s.lastPass()).isEqualTo(fastNew);
        assertThat(s.problems()).isEmpty();
    }

    @Test
    void noDrillPassedWithinThePeriodIsAProblem() {
        DrillRecord old = passed("app", ago(Duration.ofDays(7).plusSeconds(1)), hours(1));

        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(old), DAILY);

        assertThat(s.drillWithinMet()).isFalse();
        assertThat(s.rtoMet()).as("the old drill still measured the recovery time").isTrue();
        assertThat(s.problems()).containsExactly("no drill passed in the last 7d");
    }

    @Test
    void noDrillAtAllIsOneProblemWhenDrillWithinIsChecked() {
        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(), DAILY);

        assertThat(s.lastDrill()).isNull();
        assertThat(s.rtoMet()).isNull();
        assertThat(s.problems()).containsExactly("no drill passed in the last 7d");
    }

    @Test
    void withDrillWithinOffAnUnmeasuredRtoIsStillAProblem() {
        DatabaseStatus s = judge(List.of(backup("app", ago(hours(1)))), List.of(),
                new RecoveryObjectives(hours(24), hours(4), null));

        assertThat(s.drillWithinMet()).isNull();
        assertThat(s.problems()).containsExactly("RTO of 4h not proven: no passing drill measured the recovery time");
    }

    @Test
    void withNoObjectivesButABackupNothingIsMissed() {
        DatabaseStatus s = judge(List.of(backup("app", ago(Duration.ofDays(30)))), List.of(),
                new RecoveryObjectives(null, null, null));

        assertThat(s.ok()).isTrue();
        assertThat(s.rpoMet()).isNull();
        assertThat(s.rtoMet()).isNull();
        assertThat(s.drillWithinMet()).isNull();
    }

    @Test
    void aBackupStartedAfterNowCountsAsJustTaken() {
        DatabaseStatus s = judge(List.of(backup("app", NOW.plus(hours(1)))),
                List.of(passed("app", ago(hours(1)), hours(1))), DAILY);

        assertThat(s.backupAge()).isZero();
        assertThat(s.problems()).isEmpty();
    }

    @Test
    void databasesAreJudgedApartEachWithItsObjectives() {
        List<BackupManifest> backups = List.of(backup("app", ago(hours(30))), backup("shop", ago(hours(30))),
                safety("scratch", ago(hours(1))));
        List<DrillRecord> drills = List.of(passed("app", ago(hours(2)), hours(1)),
                passed("shop", ago(hours(2)), hours(1)), passed("old", ago(Duration.ofDays(30)), hours(1)));

        assertThat(RecoveryStatus.databasesOf(backups, drills)).containsExactly("app", "old", "scratch", "shop");
        RecoveryStatus status = RecoveryStatus.of(RecoveryStatus.databasesOf(backups, drills), backups, drills,
                db -> db.equals("shop") ? new RecoveryObjectives(hours(48), null, Duration.ofDays(7)) : DAILY, NOW);

        assertThat(status.databases()).extracting(DatabaseStatus::database)
                .containsExactly("app", "old", "scratch", "shop");
        assertThat(status.ok()).isFalse();
        assertThat(status.missed()).extracting(DatabaseStatus::database).containsExactly("app", "old", "scratch");
        assertThat(status.databases().get(1).problems())
                .containsExactly("no backup", "no drill passed in the last 7d");
        assertThat(status.databases().get(3).ok()).isTrue();
    }

    @Test
    void everySubjectOfABackupIsJudgedTheOtherSourcesByIdentity() {
        BackupManifest app = backup("app", ago(hours(2)));
        var k8s = new io.arca.core.source.Section("kubernetes.objects",
                io.arca.core.source.Subject.of("k8s", "prod-context", "shop"), List.of(), false, null);
        var cluster = io.arca.core.repo.TestManifests.section(io.arca.core.repo.TestManifests.PHYSICAL, null, false,
                List.of());
        BackupManifest whole = new BackupManifest(app.formatVersion(), app.backupId(), app.repositoryId(), null,
                app.startedAt(), app.finishedAt(), app.labels(), app.tools(), List.of(app.sections().get(0), k8s,
                        cluster), app.artifacts(), null, null, null);

        assertThat(RecoveryStatus.databasesOf(List.of(whole), List.of())).containsExactly("app", "k8s:/shop");
        RecoveryStatus status = RecoveryStatus.of(RecoveryStatus.databasesOf(List.of(whole), List.of()),
                List.of(whole), List.of(), db -> new RecoveryObjectives(hours(24), null, null), NOW);
        assertThat(status.databases()).extracting(DatabaseStatus::database).containsExactly("app", "k8s:/shop");
        assertThat(status.ok()).isTrue();
    }

    @Test
    void aDatabaseWithNothingIsJudgedWhenAskedFor() {
        RecoveryStatus status = RecoveryStatus.of(Set.of("billing"), List.of(backup("app", ago(hours(1)))), List.of(),
                db -> DAILY, NOW);

        assertThat(status.databases()).singleElement().satisfies(s -> {
            assertThat(s.database()).isEqualTo("billing");
            assertThat(s.problems()).containsExactly("no backup", "no drill passed in the last 7d");
        });
    }

    @Test
    void nothingToJudgeIsOk() {
        RecoveryStatus status = RecoveryStatus.of(Set.of(), List.of(), List.of(), db -> DAILY, NOW);

        assertThat(status.databases()).isEmpty();
        assertThat(status.ok()).isTrue();
    }

    @Test
    void partialBackupsNeitherCountNorHideTheFullOne() {
        BackupManifest full = backup("app", ago(hours(30)));
        BackupManifest newerPartial = partial("app", ago(hours(1)));

        DatabaseStatus s = judge(List.of(full, newerPartial), List.of(passed("app", ago(hours(3)), hours(1))), DAILY);

        assertThat(s.newestBackup()).isEqualTo(full);
        assertThat(s.rpoMet()).isFalse();
        assertThat(s.backupProblems()).containsExactly("newest backup is 30h old, RPO is 24h");
    }

    @Test
    void onlyPartialBackupsAreNoFullBackup() {
        BackupManifest p = partial("app", ago(hours(1)));

        DatabaseStatus s = judge(List.of(p), List.of(passed("app", ago(hours(3)), hours(1))), DAILY);

        assertThat(s.ok()).isFalse();
        assertThat(s.newestBackup()).isNull();
        assertThat(s.rpoMet()).isFalse();
        assertThat(s.backupProblems()).containsExactly("no full backup (newest partial backup " + p.backupId() + ")");
        assertThat(p.partial()).isTrue();
        assertThat(p.full()).isFalse();
    }

    @Test
    void aRepositoryWithoutBackupsMissesObjectivesWhenJudged() {
        RecoveryStatus status = RecoveryStatus.of(Set.of(RecoveryStatus.ANY_DATABASE), List.of(), List.of(),
                db -> new RecoveryObjectives(hours(36), null, null), NOW);

        assertThat(status.ok()).isFalse();
        assertThat(status.databases()).singleElement().satisfies(s -> {
            assertThat(s.rpoMet()).isFalse();
            assertThat(s.problems()).containsExactly("no backup of any database");
        });
    }

    @Test
    void readableDurationsKeepTheFractionOfShortOnes() {
        assertThat(RecoveryStatus.readable(Duration.ofMillis(420))).isEqualTo("0.42s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(5))).isEqualTo("0.005s");
        assertThat(RecoveryStatus.readable(Duration.ofNanos(400_000))).isEqualTo("0s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(3_500))).isEqualTo("3.5s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(12_345))).isEqualTo("12.345s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(63_500))).isEqualTo("1m 3.5s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(63_590))).as("truncated").isEqualTo("1m 3.5s");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(60_050))).isEqualTo("1m");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(3_600_900))).isEqualTo("1h");
        assertThat(RecoveryStatus.readable(Duration.ofMillis(-5))).isEqualTo("0s");
    }

    @Test
    void readableDurationsShowTheTwoLargestUnits() {
        assertThat(RecoveryStatus.readable(Duration.ZERO)).isEqualTo("0s");
        assertThat(RecoveryStatus.readable(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(RecoveryStatus.readable(Duration.ofSeconds(750))).isEqualTo("12m 30s");
        assertThat(RecoveryStatus.readable(Duration.ofMinutes(60))).isEqualTo("1h");
        assertThat(RecoveryStatus.readable(hours(5).plusMinutes(2).plusSeconds(59))).isEqualTo("5h 2m");
        assertThat(RecoveryStatus.readable(hours(24))).isEqualTo("24h");
        assertThat(RecoveryStatus.readable(hours(47).plusMinutes(59))).isEqualTo("47h 59m");
        assertThat(RecoveryStatus.readable(hours(48))).isEqualTo("2d");
        assertThat(RecoveryStatus.readable(Duration.ofDays(3).plusHours(4).plusMinutes(5))).isEqualTo("3d 4h");
        assertThat(RecoveryStatus.readable(Duration.ofDays(7).plusMinutes(5))).isEqualTo("7d");
    }
}
