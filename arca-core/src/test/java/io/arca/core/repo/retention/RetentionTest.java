package io.arca.core.repo.retention;

import static io.arca.core.repo.retention.Backups.logical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.TestManifests;
import io.arca.core.repo.retention.RetentionPlan.IncompleteDecision;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionTest {
    private static final Instant NOW = Instant.parse("2024-03-10T12:00:00Z");
    private static final RetentionPolicy NONE = RetentionPolicy.NONE;

    private static RetentionPlan plan(List<BackupManifest> backups, RetentionPolicy policy, Instant now) {
        return Retention.plan(backups, List.of(), policy, now);
    }

    /** Each backup's start time and reasons, newest first: "2024-03-10T01:00:00Z keep [newest, last 2]". */
    private static List<String> outcome(RetentionPlan plan) {
        return plan.decisions().stream()
                .map(d -> d.backup().startedAt() + (d.keep() ? " keep " : " remove ") + d.reasons())
                .toList();
    }

    @Test
    void keepLastKeepsTheNewestN() {
        List<BackupManifest> backups = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            backups.add(logical("app", NOW.minus(Duration.ofDays(i))));
        }
        Collections.shuffle(backups, new Random(1));
        RetentionPlan plan = plan(backups, NONE.withKeepLast(2), NOW);
        assertThat(outcome(plan)).containsExactly(
                "2024-03-09T12:00:00Z keep [newest, last 2]",
                "2024-03-08T12:00:00Z keep [last 2]",
                "2024-03-07T12:00:00Z remove [matches no rule]",
                "2024-03-06T12:00:00Z remove [matches no rule]",
                "2024-03-05T12:00:00Z remove [matches no rule]");
        assertThat(plan.toKeep()).extracting(BackupManifest::startedAt)
                .containsExactly(Instant.parse("2024-03-09T12:00:00Z"), Instant.parse("2024-03-08T12:00:00Z"));
        assertThat(plan.toRemove()).hasSize(3);
    }

    @Test
    void keepWithinKeepsEverythingStartedInThePeriodBeforeNowBoundaryIncluded() {
        List<BackupManifest> backups = List.of(
                logical("app", NOW.minus(Duration.ofHours(1))),
                logical("app", NOW.minus(Duration.ofDays(7))),
                logical("app", NOW.minus(Duration.ofDays(7)).minusSeconds(1)),
                logical("app", NOW.minus(Duration.ofDays(30))));
        assertThat(outcome(plan(backups, NONE.withKeepWithin(DurationText.parse("7d")), NOW))).containsExactly(
                "2024-03-10T11:00:00Z keep [newest, within 7d]",
                "2024-03-03T12:00:00Z keep [within 7d]",
                "2024-03-03T11:59:59Z remove [matches no rule]",
                "2024-02-09T12:00:00Z remove [matches no rule]");
    }

    @Test
    void keepDailyKeepsTheNewestOfEachOfTheMostRecentUtcDaysThatHaveBackups() {
        List<BackupManifest> backups = List.of(
                logical("app", "2024-03-10T01:00:00Z"),
                logical("app", "2024-03-10T00:30:00Z"),
                logical("app", "2024-03-08T23:59:59Z"),
                logical("app", "2024-03-08T10:00:00Z"),
                logical("app", "2024-03-05T12:00:00Z"),
                logical("app", "2024-03-01T12:00:00Z"));
        // 03-09, 03-06 and 03-07 have no backup and do not use up any of the 3 days.
        assertThat(outcome(plan(backups, NONE.withKeepDaily(3), NOW))).containsExactly(
                "2024-03-10T01:00:00Z keep [newest, daily 2024-03-10]",
                "2024-03-10T00:30:00Z remove [matches no rule]",
                "2024-03-08T23:59:59Z keep [daily 2024-03-08]",
                "2024-03-08T10:00:00Z remove [matches no rule]",
                "2024-03-05T12:00:00Z keep [daily 2024-03-05]",
                "2024-03-01T12:00:00Z remove [matches no rule]");
    }

    @Test
    void keepWeeklyUsesIsoWeeksOfTheWeekBasedYear() {
        List<BackupManifest> backups = List.of(
                logical("app", "2025-01-01T02:00:00Z"),
                logical("app", "2024-12-30T02:00:00Z"),
                logical("app", "2024-12-29T23:00:00Z"),
                logical("app", "2024-12-23T02:00:00Z"),
                logical("app", "2024-12-16T02:00:00Z"),
                logical("app", "2024-12-01T02:00:00Z"));
        assertThat(outcome(plan(backups, NONE.withKeepWeekly(3), Instant.parse("2025-01-02T00:00:00Z")))).containsExactly(
                "2025-01-01T02:00:00Z keep [newest, weekly 2025-W01]",
                "2024-12-30T02:00:00Z remove [matches no rule]",
                "2024-12-29T23:00:00Z keep [weekly 2024-W52]",
                "2024-12-23T02:00:00Z remove [matches no rule]",
                "2024-12-16T02:00:00Z keep [weekly 2024-W51]",
                "2024-12-01T02:00:00Z remove [matches no rule]");
    }

    @Test
    void keepMonthlyKeepsTheNewestOfEachRecentMonth() {
        List<BackupManifest> backups = List.of(
                logical("app", "2024-03-02T02:00:00Z"),
                logical("app", "2024-02-29T02:00:00Z"),
                logical("app", "2024-02-01T02:00:00Z"),
                logical("app", "2024-01-31T23:00:00Z"),
                logical("app", "2023-11-15T02:00:00Z"),
                logical("app", "2023-10-01T02:00:00Z"));
        assertThat(outcome(plan(backups, NONE.withKeepMonthly(3), NOW))).containsExactly(
                "2024-03-02T02:00:00Z keep [newest, monthly 2024-03]",
                "2024-02-29T02:00:00Z keep [monthly 2024-02]",
                "2024-02-01T02:00:00Z remove [matches no rule]",
                "2024-01-31T23:00:00Z keep [monthly 2024-01]",
                "2023-11-15T02:00:00Z remove [matches no rule]",
                "2023-10-01T02:00:00Z remove [matches no rule]");
    }

    @Test
    void keepYearlySkipsYearsWithoutBackups() {
        List<BackupManifest> backups = List.of(
                logical("app", "2024-01-05T02:00:00Z"),
                logical("app", "2023-12-31T23:59:59Z"),
                logical("app", "2023-06-01T02:00:00Z"),
                logical("app", "2021-07-01T02:00:00Z"),
                logical("app", "2020-01-01T02:00:00Z"));
        assertThat(outcome(plan(backups, NONE.withKeepYearly(3), NOW))).containsExactly(
                "2024-01-05T02:00:00Z keep [newest, yearly 2024]",
                "2023-12-31T23:59:59Z keep [yearly 2023]",
                "2023-06-01T02:00:00Z remove [matches no rule]",
                "2021-07-01T02:00:00Z keep [yearly 2021]",
                "2020-01-01T02:00:00Z remove [matches no rule]");
    }

    @Test
    void aBackupKeptBySeveralRulesListsEveryRule() {
        List<BackupManifest> backups = List.of(
                logical("app", "2024-03-10T02:00:00Z"),
                logical("app", "2024-03-09T02:00:00Z"),
                logical("app", "2024-03-01T02:00:00Z"));
        RetentionPolicy policy = NONE.withKeepLast(1).withKeepWithin(Duration.ofDays(2)).withKeepDaily(2).withKeepMonthly(2);
        assertThat(outcome(plan(backups, policy, NOW))).containsExactly(
                "2024-03-10T02:00:00Z keep [newest, last 1, within 2d, daily 2024-03-10, monthly 2024-03]",
                "2024-03-09T02:00:00Z keep [within 2d, daily 2024-03-09]",
                "2024-03-01T02:00:00Z remove [matches no rule]");
    }

    @Test
    void grandfatherFatherSonOverFourHundredDailyBackups() {
        LocalDate last = LocalDate.parse("2025-03-15");
        List<LocalDate> days = new ArrayList<>();
        List<BackupManifest> backups = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            LocalDate day = last.minusDays(i);
            days.add(day);
            backups.add(logical("app", day.atTime(2, 0).toInstant(ZoneOffset.UTC)));
        }
        RetentionPolicy policy = NONE.withKeepDaily(7).withKeepWeekly(4).withKeepMonthly(12).withKeepYearly(2);
        RetentionPlan plan = plan(backups, policy, Instant.parse("2025-03-15T12:00:00Z"));

        // Independently: the newest day of each period, the most recent periods first.
        Set<LocalDate> expected = new TreeSet<>();
        expected.addAll(newestPerPeriod(days, d -> d, 7));
        expected.addAll(newestPerPeriod(days, d -> d.with(DayOfWeek.MONDAY), 4));
        expected.addAll(newestPerPeriod(days, YearMonth::from, 12));
        expected.addAll(newestPerPeriod(days, LocalDate::getYear, 2));
        assertThat(expected).hasSize(20).containsAll(dates("2025-03-09", "2025-03-10", "2025-03-11", "2025-03-12",
                "2025-03-13", "2025-03-14", "2025-03-15", "2025-03-02", "2025-02-23", "2025-02-28", "2025-01-31",
                "2024-12-31", "2024-11-30", "2024-10-31", "2024-09-30", "2024-08-31", "2024-07-31", "2024-06-30",
                "2024-05-31", "2024-04-30"));

        assertThat(plan.toKeep()).extracting(b -> LocalDate.ofInstant(b.startedAt(), ZoneOffset.UTC))
                .containsExactlyElementsOf(expected.stream().sorted(Comparator.reverseOrder()).toList());
        assertThat(plan.toRemove()).hasSize(380);
        assertThat(reasonsOn(plan, "2025-03-15")).containsExactly("newest", "daily 2025-03-15", "weekly 2025-W11",
                "monthly 2025-03", "yearly 2025");
        assertThat(reasonsOn(plan, "2025-03-09")).containsExactly("daily 2025-03-09", "weekly 2025-W10");
        assertThat(reasonsOn(plan, "2024-12-31")).containsExactly("monthly 2024-12", "yearly 2024");
    }

    private static Set<LocalDate> newestPerPeriod(List<LocalDate> days, Function<LocalDate, Object> period, int count) {
        Map<Object, LocalDate> newest = days.stream()
                .collect(Collectors.toMap(period, d -> d, (a, b) -> a.isAfter(b) ? a : b));
        return newest.values().stream().sorted(Comparator.reverseOrder()).limit(count).collect(Collectors.toSet());
    }

    private static List<LocalDate> dates(String... days) {
        return List.of(days).stream().map(LocalDate::parse).toList();
    }

    private static List<String> reasonsOn(RetentionPlan plan, String day) {
        return plan.decisions().stream()
                .filter(d -> LocalDate.ofInstant(d.backup().startedAt(), ZoneOffset.UTC).equals(LocalDate.parse(day)))
                .findFirst().orElseThrow().reasons();
    }

    @Test
    void theNewestBackupIsAlwaysKeptEvenWhenNoRuleSelectsIt() {
        List<BackupManifest> backups = List.of(
                logical("app", NOW.minus(Duration.ofDays(3))),
                logical("app", NOW.minus(Duration.ofDays(4))));
        RetentionPlan plan = plan(backups, NONE.withKeepWithin(DurationText.parse("1h")), NOW);
        assertThat(outcome(plan)).containsExactly(
                "2024-03-07T12:00:00Z keep [newest]",
                "2024-03-06T12:00:00Z remove [matches no rule]");
    }

    @Test
    void safetyBackupsFollowOnlyTheirOwnPeriodAndUseUpNoRule() {
        List<BackupManifest> backups = List.of(
                Backups.safety("app", NOW.minus(Duration.ofHours(1))),
                logical("app", NOW.minus(Duration.ofDays(1))),
                logical("app", NOW.minus(Duration.ofDays(2))),
                Backups.safety("app", NOW.minus(Duration.ofDays(6))),
                Backups.safety("app", NOW.minus(Duration.ofDays(8))));
        assertThat(outcome(plan(backups, NONE.withKeepLast(1), NOW))).containsExactly(
                "2024-03-10T11:00:00Z keep [safety, within 7d]",
                "2024-03-09T12:00:00Z keep [newest, last 1]",
                "2024-03-08T12:00:00Z remove [matches no rule]",
                "2024-03-04T12:00:00Z keep [safety, within 7d]",
                "2024-03-02T12:00:00Z remove [safety backup older than 7d]");
        // A generous policy for normal backups does not keep old safety backups either.
        assertThat(outcome(plan(backups, NONE.withKeepLast(10).withSafetyKeepWithin(Duration.ofDays(1)), NOW)))
                .containsExactly(
                        "2024-03-10T11:00:00Z keep [safety, within 1d]",
                        "2024-03-09T12:00:00Z keep [newest, last 10]",
                        "2024-03-08T12:00:00Z keep [last 10]",
                        "2024-03-04T12:00:00Z remove [safety backup older than 1d]",
                        "2024-03-02T12:00:00Z remove [safety backup older than 1d]");
    }

    @Test
    void backupsStartedAfterNowAreKeptAndTakeNoPartInTheRules() {
        List<BackupManifest> backups = List.of(
                logical("app", NOW.plus(Duration.ofMinutes(5))),
                logical("app", NOW.minus(Duration.ofDays(1))),
                logical("app", NOW.minus(Duration.ofDays(2))));
        assertThat(outcome(plan(backups, NONE.withKeepLast(1), NOW))).containsExactly(
                "2024-03-10T12:05:00Z keep [start time in the future]",
                "2024-03-09T12:00:00Z keep [newest, last 1]",
                "2024-03-08T12:00:00Z remove [matches no rule]");
    }

    @Test
    void eachKindAndDatabaseIsJudgedOnItsOwn() {
        List<BackupManifest> backups = new ArrayList<>();
        for (int day = 1; day <= 3; day++) {
            Instant start = NOW.minus(Duration.ofDays(day));
            backups.add(logical("app", start));
            backups.add(logical("shop", start.plusSeconds(60)));
            backups.add(Backups.backup(TestManifests.PHYSICAL, "app", start.plusSeconds(120), Map.of()));
            backups.add(Backups.backup(TestManifests.LOGICAL, null, start.plusSeconds(180), Map.of()));
        }
        RetentionPlan plan = plan(backups, NONE.withKeepLast(1), NOW);
        assertThat(plan.toKeep()).extracting(b -> b.series() + " " + b.startedAt()).containsExactly(
                "postgresql.logical@postgresql: 2024-03-09T12:03:00Z",
                "postgresql.physical@postgresql:/app 2024-03-09T12:02:00Z",
                "postgresql.logical@postgresql:/shop 2024-03-09T12:01:00Z",
                "postgresql.logical@postgresql:/app 2024-03-09T12:00:00Z");
        assertThat(plan.toRemove()).hasSize(8);
    }

    @Test
    void anEmptyPolicyIsRefused() {
        List<BackupManifest> backups = List.of(logical("app", NOW.minus(Duration.ofDays(1))));
        assertThatThrownBy(() -> plan(backups, NONE.withSafetyKeepWithin(Duration.ofDays(1)), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("retention policy has no rule");
    }

    @Test
    void incompleteFoldersAreRemovedOnceOlderThanTheGracePeriod() {
        String running = Backups.incompleteFolder(NOW.minus(Duration.ofHours(1)));
        String atGrace = Backups.incompleteFolder(NOW.minus(Duration.ofHours(24)));
        String stale = Backups.incompleteFolder(NOW.minus(Duration.ofHours(30)));
        String future = Backups.incompleteFolder(NOW.plus(Duration.ofMinutes(3)));
        String foreign = "backups/2024/03/10/not-a-backup";
        List<String> folders = List.of(running, atGrace, stale, future, foreign);

        RetentionPlan plan = Retention.plan(List.of(), folders, NONE.withKeepLast(1), NOW);
        assertThat(plan.incomplete()).containsExactly(
                new IncompleteDecision(running, true, "incomplete, younger than 1d (may still be running)"),
                new IncompleteDecision(atGrace, false, "incomplete backup older than 1d"),
                new IncompleteDecision(stale, false, "incomplete backup older than 1d"),
                new IncompleteDecision(future, true, "incomplete, start time in the future"),
                new IncompleteDecision(foreign, true, "not named by a backup id, left alone"));
        assertThat(plan.incompleteToRemove()).containsExactly(atGrace, stale);

        RetentionPlan longer = Retention.plan(List.of(), folders, NONE.withKeepLast(1)
                .withIncompleteGrace(DurationText.parse("2d")), NOW);
        assertThat(longer.incompleteToRemove()).isEmpty();
    }
}
