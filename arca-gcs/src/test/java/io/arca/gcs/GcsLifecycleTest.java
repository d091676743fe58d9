package io.arca.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleAction;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleCondition;
import com.google.cloud.storage.StorageClass;
import io.arca.core.storage.LifecycleRule;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GcsLifecycleTest {

    private static final String PREFIX = "backups/prod/";

    private static BucketInfo.LifecycleRule gcs(LifecycleAction action, int age, String... prefixes) {
        LifecycleCondition.Builder condition = LifecycleCondition.newBuilder().setAge(age);
        if (prefixes.length > 0) {
            condition.setMatchesPrefix(List.of(prefixes));
        }
        return new BucketInfo.LifecycleRule(action, condition.build());
    }

    private static LifecycleAction toClass(String name) {
        return LifecycleAction.newSetStorageClassAction(StorageClass.valueOf(name));
    }

    private static LifecycleAction delete() {
        return LifecycleAction.newDeleteAction();
    }

    private static LifecycleRule arca(OptionalInt transition, String storageClass, OptionalInt expiry) {
        return new LifecycleRule("arca-backups/prod", PREFIX, transition, storageClass, expiry);
    }

    @Test
    void aTransitionAndAnExpiryBecomeTwoRules() {
        assertThat(GcsLifecycle.toGcs(arca(OptionalInt.of(30), "coldline", OptionalInt.of(365)))).containsExactly(
                gcs(toClass("COLDLINE"), 30, PREFIX), gcs(delete(), 365, PREFIX));
        assertThat(GcsLifecycle.toGcs(arca(OptionalInt.of(30), "ARCHIVE", OptionalInt.empty())))
                .containsExactly(gcs(toClass("ARCHIVE"), 30, PREFIX));
        assertThat(GcsLifecycle.toGcs(arca(OptionalInt.empty(), null, OptionalInt.of(7))))
                .containsExactly(gcs(delete(), 7, PREFIX));
    }

    @Test
    void aStoreAtTheRootMatchesTheWholeBucket() {
        LifecycleRule root = new LifecycleRule("arca", "", OptionalInt.empty(), null, OptionalInt.of(10));

        assertThat(GcsLifecycle.toGcs(root)).containsExactly(gcs(delete(), 10));
        assertThat(GcsLifecycle.fromGcs(GcsLifecycle.toGcs(root), "", "arca")).containsExactly(root);
    }

    @Test
    void mergeReplacesArcasRulesForThePrefixAndKeepsTheRest() {
        BucketInfo.LifecycleRule otherPrefix = gcs(delete(), 7, "tmp/");
        BucketInfo.LifecycleRule twoPrefixes = gcs(delete(), 9, PREFIX, "other/");
        BucketInfo.LifecycleRule abortUploads = new BucketInfo.LifecycleRule(
                LifecycleAction.newAbortIncompleteMPUploadAction(), LifecycleCondition.newBuilder().setAge(1).build());
        BucketInfo.LifecycleRule notLive = new BucketInfo.LifecycleRule(delete(),
                LifecycleCondition.newBuilder().setAge(3).setMatchesPrefix(List.of(PREFIX)).setIsLive(false).build());
        List<BucketInfo.LifecycleRule> bucket = List.of(otherPrefix, gcs(toClass("NEARLINE"), 10, PREFIX),
                twoPrefixes, gcs(delete(), 100, PREFIX), abortUploads, notLive);

        List<BucketInfo.LifecycleRule> merged = GcsLifecycle.merge(bucket,
                arca(OptionalInt.of(60), "ARCHIVE", OptionalInt.empty()));

        assertThat(merged).containsExactly(otherPrefix, twoPrefixes, abortUploads, notLive,
                gcs(toClass("ARCHIVE"), 60, PREFIX));
    }

    @Test
    void rulesThatApplyToTheStoreAreReported() {
        List<BucketInfo.LifecycleRule> bucket = List.of(
                gcs(delete(), 7, "tmp/"),                           // 1: another prefix
                gcs(delete(), 400, PREFIX),                         // 2: Arca's expiry
                gcs(toClass("NEARLINE"), 5),                        // 3: the whole bucket
                gcs(toClass("COLDLINE"), 30, PREFIX),               // 4: Arca's transition
                gcs(toClass("ARCHIVE"), 90, "backups/", "x/"),      // 5: a prefix above the store
                gcs(delete(), 2, PREFIX + "wal/"),                  // 6: a prefix inside the store
                new BucketInfo.LifecycleRule(delete(),              // 7: not expressible
                        LifecycleCondition.newBuilder().setAge(3).setMatchesSuffix(List.of(".tmp")).build()));

        List<LifecycleRule> rules = GcsLifecycle.fromGcs(bucket, PREFIX, "arca-backups/prod");

        assertThat(rules).containsExactly(
                arca(OptionalInt.of(30), "COLDLINE", OptionalInt.of(400)),
                new LifecycleRule("gcs-rule-3", "", OptionalInt.of(5), "NEARLINE", OptionalInt.empty()),
                new LifecycleRule("gcs-rule-5", "backups/", OptionalInt.of(90), "ARCHIVE", OptionalInt.empty()),
                new LifecycleRule("gcs-rule-6", PREFIX + "wal/", OptionalInt.empty(), null, OptionalInt.of(2)));
    }

    @Test
    void aSecondRuleOfArcasShapeIsReportedOnItsOwn() {
        List<BucketInfo.LifecycleRule> bucket = List.of(gcs(delete(), 400, PREFIX), gcs(delete(), 500, PREFIX));

        assertThat(GcsLifecycle.fromGcs(bucket, PREFIX, "arca-backups/prod")).containsExactly(
                arca(OptionalInt.empty(), null, OptionalInt.of(400)),
                new LifecycleRule("gcs-rule-2", PREFIX, OptionalInt.empty(), null, OptionalInt.of(500)));
    }

    @Test
    void mergedRulesReadBackAsApplied() {
        LifecycleRule rule = arca(OptionalInt.of(30), "COLDLINE", OptionalInt.of(365));
        List<BucketInfo.LifecycleRule> bucket = List.of(gcs(delete(), 7, "tmp/"));

        assertThat(GcsLifecycle.fromGcs(GcsLifecycle.merge(bucket, rule), PREFIX, rule.id())).containsExactly(rule);
    }

    @Test
    void unknownStorageClassesAreRefused() {
        assertThat(GcsLifecycle.storageClass("nearline")).isEqualTo(StorageClass.NEARLINE);
        assertThatThrownBy(() -> GcsLifecycle.storageClass("DEEP_ARCHIVE")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("storage class 'DEEP_ARCHIVE' is not a google cloud storage class");
    }
}
