package io.arca.gcs;

import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleAction;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleCondition;
import com.google.cloud.storage.BucketInfo.LifecycleRule.SetStorageClassLifecycleAction;
import com.google.cloud.storage.StorageClass;
import io.arca.core.storage.LifecycleRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Translates between Arca's {@link LifecycleRule} and the lifecycle rules of a GCS bucket. GCS
 * rules have no names and hold one action each, so an Arca rule becomes up to two GCS rules with
 * the same condition {@code age N, matchesPrefix [P]}: {@code SetStorageClass} for the transition
 * and {@code Delete} for the expiry. Arca owns exactly the rules of that shape for its prefix (a
 * store at the bucket's root: {@code age} alone), and replaces them as a whole; a rule someone
 * wrote by hand in the same shape is taken for Arca's.
 */
final class GcsLifecycle {

    /** The classes a transition may name; the service also checks that a transition goes colder. */
    static final List<String> TRANSITION_CLASSES = List.of("NEARLINE", "COLDLINE", "ARCHIVE");

    private GcsLifecycle() {
    }

    /** The GCS rules for {@code rule}: the transition first, then the expiry. */
    static List<BucketInfo.LifecycleRule> toGcs(LifecycleRule rule) {
        List<BucketInfo.LifecycleRule> result = new ArrayList<>(2);
        rule.transitionDays().ifPresent(days -> result.add(new BucketInfo.LifecycleRule(
                LifecycleAction.newSetStorageClassAction(storageClass(rule.storageClass())),
                condition(days, rule.prefix()))));
        rule.expireDays().ifPresent(days -> result.add(new BucketInfo.LifecycleRule(
                LifecycleAction.newDeleteAction(), condition(days, rule.prefix()))));
        return result;
    }

    /** The bucket's rules with Arca's for {@code rule.prefix()} replaced by {@code rule}; all others stay. */
    static List<BucketInfo.LifecycleRule> merge(List<? extends BucketInfo.LifecycleRule> bucketRules,
            LifecycleRule rule) {
        List<BucketInfo.LifecycleRule> result = new ArrayList<>();
        for (BucketInfo.LifecycleRule existing : bucketRules) {
            if (!ownedFor(existing, rule.prefix())) {
                result.add(existing);
            }
        }
        result.addAll(toGcs(rule));
        return result;
    }

    /**
     * The bucket's rules that act on objects under {@code storePrefix}, as Arca rules: Arca's own
     * pair as one rule named {@code arcaRuleId}, then every other {@code Delete} or
     * {@code SetStorageClass} rule whose condition is an age and perhaps prefixes, one per prefix
     * that overlaps the store (none: the whole bucket), named {@code gcs-rule-<position>}. Rules
     * with other conditions or actions cannot be expressed as Arca rules and are left out.
     */
    static List<LifecycleRule> fromGcs(List<? extends BucketInfo.LifecycleRule> bucketRules, String storePrefix,
            String arcaRuleId) {
        List<LifecycleRule> others = new ArrayList<>();
        Integer ownTransitionDays = null;
        String ownClass = null;
        Integer ownExpireDays = null;
        for (int i = 0; i < bucketRules.size(); i++) {
            BucketInfo.LifecycleRule rule = bucketRules.get(i);
            if (!simple(rule)) {
                continue;
            }
            int age = rule.getCondition().getAge();
            String storageClass = rule.getAction() instanceof SetStorageClassLifecycleAction set
                    ? set.getStorageClass().name() : null;
            if (ownedFor(rule, storePrefix)) {
                if (storageClass != null && ownTransitionDays == null) {
                    ownTransitionDays = age;
                    ownClass = storageClass;
                    continue;
                }
                if (storageClass == null && ownExpireDays == null) {
                    ownExpireDays = age;
                    continue;
                }
            }
            List<String> prefixes = prefixes(rule.getCondition());
            for (String prefix : prefixes.isEmpty() ? List.of("") : prefixes) {
                if (storePrefix.startsWith(prefix) || prefix.startsWith(storePrefix)) {
                    others.add(new LifecycleRule("gcs-rule-" + (i + 1), prefix,
                            storageClass == null ? OptionalInt.empty() : OptionalInt.of(age), storageClass,
                            storageClass == null ? OptionalInt.of(age) : OptionalInt.empty()));
                }
            }
        }
        List<LifecycleRule> result = new ArrayList<>();
        if (ownTransitionDays != null || ownExpireDays != null) {
            result.add(new LifecycleRule(arcaRuleId, storePrefix,
                    ownTransitionDays == null ? OptionalInt.empty() : OptionalInt.of(ownTransitionDays), ownClass,
                    ownExpireDays == null ? OptionalInt.empty() : OptionalInt.of(ownExpireDays)));
        }
        result.addAll(others);
        return result;
    }

    /**
     * The GCS class for a transition's class name, in any case.
     *
     * @throws IllegalArgumentException when GCS has no such class for transitions
     */
    static StorageClass storageClass(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (!TRANSITION_CLASSES.contains(upper)) {
            throw new IllegalArgumentException("storage class '" + name + "' is not a google cloud storage class");
        }
        return StorageClass.valueOf(upper);
    }

    /** True for Arca's shape: Delete or SetStorageClass, age, and exactly {@code [prefix]} (none at the root). */
    static boolean ownedFor(BucketInfo.LifecycleRule rule, String prefix) {
        if (!simple(rule)) {
            return false;
        }
        List<String> prefixes = prefixes(rule.getCondition());
        return prefix.isEmpty() ? prefixes.isEmpty() : prefixes.equals(List.of(prefix));
    }

    /** Delete or SetStorageClass on a condition of an age and perhaps prefixes, nothing else. */
    private static boolean simple(BucketInfo.LifecycleRule rule) {
        String type = rule.getAction().getActionType();
        if (!(type.equals(LifecycleAction.newDeleteAction().getActionType())
                || rule.getAction() instanceof SetStorageClassLifecycleAction)) {
            return false;
        }
        LifecycleCondition condition = rule.getCondition();
        if (condition == null || condition.getAge() == null) {
            return false;
        }
        // equal to its age-and-prefix projection: no other condition is set, whatever the library adds later
        return condition.equals(condition(condition.getAge(), condition.getMatchesPrefix()));
    }

    private static LifecycleCondition condition(int age, String prefix) {
        return condition(age, prefix.isEmpty() ? null : List.of(prefix));
    }

    private static LifecycleCondition condition(int age, List<String> prefixes) {
        LifecycleCondition.Builder builder = LifecycleCondition.newBuilder().setAge(age);
        if (prefixes != null) {
            builder.setMatchesPrefix(prefixes);
        }
        return builder.build();
    }

    private static List<String> prefixes(LifecycleCondition condition) {
        return condition.getMatchesPrefix() == null ? List.of() : condition.getMatchesPrefix();
    }
}
