package io.arca.core.repo.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.TestManifests;
import io.arca.core.repo.retention.RetentionPlan.Decision;
import io.arca.core.repo.retention.RetentionPlan.IncompleteDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;

class RetentionPropertyTest {
    private static final List<String> DATABASES = List.of("app", "shop");

    /** One random case: backups of a few groups, incomplete folders, a non-empty policy. */
    private record Case(List<BackupManifest> backups, List<String> incomplete, RetentionPolicy policy, Instant now) {
        static Case random(Random random) {
            Instant now = Instant.parse("2026-02-21T12:00:00Z").plusSeconds(random.nextInt(366 * 86_400));
            List<BackupManifest> backups = new ArrayList<>();
            Instant previous = now;
            for (int i = random.nextInt(150); i > 0; i--) {
                String kind = random.nextInt(4) == 0 ? TestManifests.PHYSICAL : TestManifests.LOGICAL;
                String database = random.nextInt(5) == 0 ? null : DATABASES.get(random.nextInt(DATABASES.size()));
                // Some backups bunch up within hours of each other, so days hold several.
                Instant start = random.nextInt(3) == 0 ? previous.minusSeconds(random.nextInt(6 * 3_600))
                        : now.minusSeconds(random.nextInt(3 * 365 * 86_400));
                if (random.nextInt(20) == 0) {
                    start = now.plusSeconds(1 + random.nextInt(2 * 3_600));
                }
                boolean safety = random.nextInt(8) == 0;
                backups.add(Backups.backup(kind, database, start, safety ? Map.of("purpose", "safety") : Map.of()));
                previous = start;
            }
            List<String> incomplete = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                incomplete.add(Backups.incompleteFolder(now.minusSeconds(random.nextInt(4 * 86_400))));
            }
            if (random.nextBoolean()) {
                incomplete.add("backups/2026/02/21/leftover");
            }
            return new Case(backups, incomplete, policy(random), now);
        }

        private static RetentionPolicy policy(Random random) {
            RetentionPolicy policy = RetentionPolicy.NONE
                    .withSafetyKeepWithin(Duration.ofHours(1 + random.nextInt(14 * 24)))
                    .withIncompleteGrace(Duration.ofMinutes(1 + random.nextInt(48 * 60)));
            while (policy.isEmpty()) {
                policy = policy.withKeepLast(count(random)).withKeepDaily(count(random)).withKeepWeekly(count(random))
                        .withKeepMonthly(count(random)).withKeepYearly(count(random))
                        .withKeepWithin(random.nextInt(3) == 0 ? Duration.ofMinutes(1 + random.nextInt(90 * 1440)) : null);
            }
            return policy;
        }

        private static int count(Random random) {
            return random.nextBoolean() ? 0 : 1 + random.nextInt(15);
        }
    }

    private static boolean isSafety(BackupManifest backup) {
        return "safety".equals(backup.labels().get("purpose"));
    }

    private static String group(BackupManifest backup) {
        return backup.series();
    }

    @RepeatedTest(50)
    void plansKeepTheNewestOfEveryGroupGiveReasonsAndAreStable() {
        long seed = Backups.seed("retention plan properties");
        Case c = Case.random(new Random(seed));
        RetentionPlan plan = Retention.plan(c.backups(), c.incomplete(), c.policy(), c.now());
        String context = "seed " + seed + ", " + c.policy();

        List<BackupManifest> newestFirst = c.backups().stream().sorted(Comparator
                .comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId).reversed()).toList();
        assertThat(plan.decisions()).extracting(Decision::backup).as(context).containsExactlyElementsOf(newestFirst);
        assertThat(plan.decisions()).as(context).allSatisfy(d -> {
            assertThat(d.reasons()).isNotEmpty();
            assertThat(d.keep()).isEqualTo(!d.reasons().contains("matches no rule")
                    && !d.reasons().get(0).startsWith("safety backup older"));
        });

        Map<String, BackupManifest> newestNormal = new LinkedHashMap<>();
        for (BackupManifest b : newestFirst) {
            if (!isSafety(b) && !b.startedAt().isAfter(c.now())) {
                newestNormal.putIfAbsent(group(b), b);
            }
        }
        assertThat(plan.toKeep()).as(context).containsAll(newestNormal.values());
        for (Decision d : plan.decisions()) {
            BackupManifest b = d.backup();
            if (b.startedAt().isAfter(c.now())) {
                assertThat(d.keep()).as(context).isTrue();
            } else if (isSafety(b)) {
                assertThat(d.keep()).as(context).isEqualTo(!b.startedAt().isBefore(c.now().minus(c.policy().safetyKeepWithin())));
            }
            assertThat(d.reasons().contains("newest")).as(context).isEqualTo(newestNormal.get(group(b)) == b);
        }

        // Planning again on what is kept, at the same instant, removes nothing and says the same.
        List<String> keptFolders = plan.incomplete().stream().filter(IncompleteDecision::keep)
                .map(IncompleteDecision::folder).toList();
        RetentionPlan again = Retention.plan(plan.toKeep(), keptFolders, c.policy(), c.now());
        assertThat(again.toRemove()).as(context).isEmpty();
        assertThat(again.incompleteToRemove()).as(context).isEmpty();
        assertThat(again.decisions()).as(context)
                .containsExactlyElementsOf(plan.decisions().stream().filter(Decision::keep).toList());

        // Later, only what was kept for its age can age out (backups that were in the future are left
        // out: they join the rules once their time has come).
        Instant later = c.now().plus(Duration.ofMinutes(new Random(seed).nextInt(60 * 1440)));
        List<BackupManifest> past = plan.toKeep().stream().filter(b -> !b.startedAt().isAfter(c.now())).toList();
        RetentionPlan aged = Retention.plan(past, keptFolders, c.policy(), later);
        Map<BackupManifest, List<String>> firstReasons = new LinkedHashMap<>();
        plan.decisions().forEach(d -> firstReasons.put(d.backup(), d.reasons()));
        assertThat(aged.toRemove()).as(context).allSatisfy(b -> assertThat(firstReasons.get(b))
                .allMatch(r -> r.startsWith("within ") || r.startsWith("safety, within ")));
        assertThat(aged.incomplete()).as(context).filteredOn(d -> !d.keep())
                .allSatisfy(d -> assertThat(Objects.requireNonNull(d.reason())).startsWith("incomplete backup older"));
    }
}
