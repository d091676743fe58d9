package io.arca.core.repo.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.repo.RepositoryConfig.Objectives;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryObjectivesTest {
    private static final Objectives NOTHING = new Objectives(null, null, null);

    @Test
    void nothingSetChecksOnlyThatADrillPassedInTheLastWeek() {
        RecoveryObjectives o = RecoveryObjectives.resolve("app", NOTHING, null);

        assertThat(o).isEqualTo(new RecoveryObjectives(null, null, Duration.ofDays(7)));
        assertThat(RecoveryObjectives.resolve("app", null, Map.of())).isEqualTo(o);
    }

    @Test
    void eachObjectiveComesFromTheFlagsThenTheDatabaseThenEveryDatabase() {
        Map<String, Objectives> saved = Map.of(
                "*", new Objectives("24h", "4h", "14d"),
                "app", new Objectives("1h", null, null));

        assertThat(RecoveryObjectives.resolve("app", NOTHING, saved))
                .isEqualTo(new RecoveryObjectives(Duration.ofHours(1), Duration.ofHours(4), Duration.ofDays(14)));
        assertThat(RecoveryObjectives.resolve("shop", NOTHING, saved))
                .isEqualTo(new RecoveryObjectives(Duration.ofHours(24), Duration.ofHours(4), Duration.ofDays(14)));
        assertThat(RecoveryObjectives.resolve("app", new Objectives("30m", null, "1d"), saved))
                .isEqualTo(new RecoveryObjectives(Duration.ofMinutes(30), Duration.ofHours(4), Duration.ofDays(1)));
    }

    @Test
    void noneTurnsAnObjectiveOffWhateverALowerSourceSays() {
        Map<String, Objectives> saved = Map.of(
                "*", new Objectives("24h", "4h", "14d"),
                "archive", new Objectives("none", null, "none"));

        assertThat(RecoveryObjectives.resolve("archive", NOTHING, saved))
                .isEqualTo(new RecoveryObjectives(null, Duration.ofHours(4), null));
        assertThat(RecoveryObjectives.resolve("app", new Objectives(null, "none", "none"), saved))
                .isEqualTo(new RecoveryObjectives(Duration.ofHours(24), null, null));
    }

    @Test
    void parseReadsDurationsAndNone() {
        assertThat(RecoveryObjectives.parse("--rpo", "36h")).isEqualTo(Duration.ofHours(36));
        assertThat(RecoveryObjectives.parse("--rpo", "1d12h")).isEqualTo(Duration.ofHours(36));
        assertThat(RecoveryObjectives.parse("--drill-within", "none")).isNull();
    }

    @Test
    void invalidValuesAreRefusedNamingWhereTheyCameFrom() {
        assertThatThrownBy(() -> RecoveryObjectives.parse("--rpo", "1 day"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--rpo: invalid duration '1 day': use e.g. 24h, 4h, 7d, or none to turn the check off");
        assertThatThrownBy(() -> RecoveryObjectives.parse("--rto", "0h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--rto: '0h' is zero: use a longer duration, or none");
        assertThatThrownBy(() -> RecoveryObjectives.resolve("app", NOTHING,
                Map.of("*", new Objectives("24h", "4x", null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("objectives of '*' in arca.json: rto: invalid duration '4x'");
        assertThatThrownBy(() -> new RecoveryObjectives(Duration.ZERO, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeSaysWhereEachObjectiveComesFrom() {
        Map<String, Objectives> saved = Map.of("*", new Objectives("24h", "none", null),
                "app", new Objectives(null, null, "3d"));

        assertThat(RecoveryObjectives.describe("app", NOTHING, saved)).isEqualTo(
                "rpo 24h (saved for '*'), rto not checked (none, saved for '*'), drill-within 3d (saved for 'app')");
        assertThat(RecoveryObjectives.describe("shop", new Objectives(null, "4h", null), saved)).isEqualTo(
                "rpo 24h (saved for '*'), rto 4h (given), drill-within 7d (default)");
        assertThat(RecoveryObjectives.describe("shop", NOTHING, null)).isEqualTo(
                "rpo not checked, rto not checked, drill-within 7d (default)");
    }
}
