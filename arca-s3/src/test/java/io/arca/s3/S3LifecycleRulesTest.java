package io.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.StorageAccessException;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

class S3LifecycleRulesTest {

    private static software.amazon.awssdk.services.s3.model.LifecycleRule.Builder sdkRule(String id, String prefix) {
        return software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id(id)
                .filter(LifecycleRuleFilter.builder().prefix(prefix).build()).status(ExpirationStatus.ENABLED);
    }

    @Test
    void ruleIdsAreSanitisedPrefixes() {
        assertThat(S3LifecycleRules.ruleId("prod/db1")).isEqualTo("arca-prod-db1");
        assertThat(S3LifecycleRules.ruleId("my backups/été")).isEqualTo("arca-my-backups--t-");
        assertThat(S3LifecycleRules.ruleId("")).isEqualTo("arca");
        String longId = S3LifecycleRules.ruleId("p".repeat(400));
        assertThat(longId).hasSize(255).startsWith("arca-ppp").doesNotContain("/");
        assertThat(S3LifecycleRules.ruleId("q".repeat(400))).isNotEqualTo(longId);
    }

    @Test
    void arcaRuleBecomesAnEnabledPrefixRuleThatAlsoCleansIncompleteUploads() {
        LifecycleRule rule = new LifecycleRule("arca-prod", "prod/", OptionalInt.of(30), "glacier", OptionalInt.of(365));

        var sdk = S3LifecycleRules.toSdk(rule);

        assertThat(sdk.id()).isEqualTo("arca-prod");
        assertThat(sdk.filter().prefix()).isEqualTo("prod/");
        assertThat(sdk.status()).isEqualTo(ExpirationStatus.ENABLED);
        assertThat(sdk.transitions()).singleElement().satisfies(t -> {
            assertThat(t.days()).isEqualTo(30);
            assertThat(t.storageClass()).isEqualTo(TransitionStorageClass.GLACIER);
        });
        assertThat(sdk.expiration().days()).isEqualTo(365);
        assertThat(sdk.abortIncompleteMultipartUpload().daysAfterInitiation()).isEqualTo(7);
        assertThat(S3LifecycleRules.fromSdk(sdk)).contains(
                new LifecycleRule("arca-prod", "prod/", OptionalInt.of(30), "GLACIER", OptionalInt.of(365)));
    }

    @Test
    void expiryOnlyAndTransitionOnlyRulesRoundTrip() {
        LifecycleRule expiry = new LifecycleRule("arca-x", "x/", OptionalInt.empty(), null, OptionalInt.of(90));
        LifecycleRule transition = new LifecycleRule("arca-y", "y/", OptionalInt.of(1), "DEEP_ARCHIVE",
                OptionalInt.empty());

        assertThat(S3LifecycleRules.fromSdk(S3LifecycleRules.toSdk(expiry))).contains(expiry);
        assertThat(S3LifecycleRules.fromSdk(S3LifecycleRules.toSdk(transition))).contains(transition);
        assertThat(S3LifecycleRules.toSdk(expiry).transitions()).isEmpty();
        assertThat(S3LifecycleRules.toSdk(transition).expiration()).isNull();
    }

    @Test
    void unknownStorageClassIsRefused() {
        LifecycleRule rule = new LifecycleRule("arca-x", "x/", OptionalInt.of(30), "COLDLINE", OptionalInt.empty());

        assertThatThrownBy(() -> S3LifecycleRules.toSdk(rule)).isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("unknown S3 storage class 'COLDLINE'");
    }

    @Test
    void rulesArcaCannotDescribeOrThatDoNotActAreLeftOut() {
        var disabled = sdkRule("off", "x/").status(ExpirationStatus.DISABLED)
                .expiration(LifecycleExpiration.builder().days(1).build()).build();
        var tagged = sdkRule("tagged", "x/").filter(LifecycleRuleFilter.builder().and(LifecycleRuleAndOperator.builder()
                .prefix("x/").tags(Tag.builder().key("k").value("v").build()).build()).build())
                .expiration(LifecycleExpiration.builder().days(1).build()).build();
        var uploadsOnly = sdkRule("uploads", "x/").build();

        assertThat(S3LifecycleRules.fromSdk(disabled)).isEmpty();
        assertThat(S3LifecycleRules.fromSdk(tagged)).isEmpty();
        assertThat(S3LifecycleRules.fromSdk(uploadsOnly)).isEmpty();
    }

    @Test
    void theEarliestOfSeveralTransitionsIsReported() {
        var rule = sdkRule("tiers", "").transitions(
                Transition.builder().days(90).storageClass(TransitionStorageClass.GLACIER).build(),
                Transition.builder().days(30).storageClass(TransitionStorageClass.STANDARD_IA).build()).build();

        assertThat(S3LifecycleRules.fromSdk(rule)).hasValueSatisfying(r -> {
            assertThat(r.transitionDays()).hasValue(30);
            assertThat(r.storageClass()).isEqualTo("STANDARD_IA");
            assertThat(r.prefix()).isEmpty();
        });
    }

    @Test
    void aRuleOverlapsPrefixesAboveAndBelowItsOwn() {
        assertThat(S3LifecycleRules.overlaps("", "prod/")).isTrue();
        assertThat(S3LifecycleRules.overlaps("prod/", "prod/")).isTrue();
        assertThat(S3LifecycleRules.overlaps("pr", "prod/")).isTrue();
        assertThat(S3LifecycleRules.overlaps("prod/backups/", "prod/")).isTrue();
        assertThat(S3LifecycleRules.overlaps("test/", "prod/")).isFalse();
        assertThat(S3LifecycleRules.overlaps("prod/locks/", "prod/backups/")).isFalse();
    }

    @Test
    void legacyRulePrefixIsRead() {
        @SuppressWarnings("deprecation")
        var legacy = software.amazon.awssdk.services.s3.model.LifecycleRule.builder().id("old").prefix("logs/")
                .status(ExpirationStatus.ENABLED).expiration(LifecycleExpiration.builder().days(3).build()).build();

        assertThat(S3LifecycleRules.prefix(legacy)).isEqualTo("logs/");
    }

    @Test
    void mergeReplacesTheRuleWithTheSameIdAndKeepsTheOthers() {
        var other = sdkRule("logs", "logs/").expiration(LifecycleExpiration.builder().days(3).build()).build();
        var old = sdkRule("arca-prod", "prod/").expiration(LifecycleExpiration.builder().days(30).build()).build();
        var last = sdkRule("tmp", "tmp/").expiration(LifecycleExpiration.builder().days(1).build()).build();
        var replacement = S3LifecycleRules.toSdk(
                new LifecycleRule("arca-prod", "prod/", OptionalInt.empty(), null, OptionalInt.of(400)));

        var merged = S3LifecycleRules.merge(List.of(other, old, last), replacement, "backups");

        assertThat(merged).containsExactly(other, replacement, last);
        assertThat(S3LifecycleRules.merge(List.of(other), replacement, "backups")).containsExactly(other, replacement);
    }

    @Test
    void mergeRefusesToTakeARuleIdFromAnotherPrefix() {
        var foreign = sdkRule("arca-a-b", "a-b/").expiration(LifecycleExpiration.builder().days(3).build()).build();
        var mine = S3LifecycleRules.toSdk(new LifecycleRule("arca-a-b", "a/b/", OptionalInt.empty(), null,
                OptionalInt.of(10)));

        assertThatThrownBy(() -> S3LifecycleRules.merge(List.of(foreign), mine, "backups"))
                .isInstanceOf(StorageAccessException.class)
                .hasMessageContaining("lifecycle rule 'arca-a-b' of bucket 'backups' applies to prefix 'a-b/'");
    }
}
