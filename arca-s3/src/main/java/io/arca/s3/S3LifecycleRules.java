package io.arca.s3;

import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.StorageAccessException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.Transition;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * Translates between Arca's {@link LifecycleRule} and S3 bucket lifecycle rules, without I/O.
 *
 * <p>Arca's rule becomes an enabled S3 rule filtered by the prefix, with at most one transition
 * and one expiry in days. It also aborts multipart uploads left incomplete for
 * {@value #ABORT_INCOMPLETE_DAYS} days: a writer that died mid-upload leaves parts that are
 * invisible but billed, and no backup upload runs that long.
 */
final class S3LifecycleRules {

    static final int ABORT_INCOMPLETE_DAYS = 7;
    /** S3 limits rule ids to 255 characters. */
    private static final int MAX_ID_LENGTH = 255;

    private S3LifecycleRules() {
    }

    /**
     * The id of Arca's rule for a store prefix (without trailing {@code /}): {@code arca-} and the
     * prefix with every character outside {@code [A-Za-z0-9._-]} replaced by {@code -}, or
     * {@code arca} for a store at the bucket's root. Over-long ids end in a digest of the prefix.
     */
    static String ruleId(String prefix) {
        if (prefix.isEmpty()) {
            return "arca";
        }
        String id = "arca-" + prefix.replaceAll("[^A-Za-z0-9._-]", "-");
        if (id.length() <= MAX_ID_LENGTH) {
            return id;
        }
        String digest = HexFormat.of().formatHex(sha256(prefix)).substring(0, 16);
        return id.substring(0, MAX_ID_LENGTH - digest.length() - 1) + "-" + digest;
    }

    /**
     * The S3 rule for {@code rule}.
     *
     * @throws StorageAccessException when the storage class is not one S3 transitions to
     */
    static software.amazon.awssdk.services.s3.model.LifecycleRule toSdk(LifecycleRule rule) {
        var builder = software.amazon.awssdk.services.s3.model.LifecycleRule.builder()
                .id(rule.id())
                .filter(LifecycleRuleFilter.builder().prefix(rule.prefix()).build())
                .status(ExpirationStatus.ENABLED)
                .abortIncompleteMultipartUpload(
                        AbortIncompleteMultipartUpload.builder().daysAfterInitiation(ABORT_INCOMPLETE_DAYS).build());
        if (rule.transitionDays().isPresent()) {
            builder.transitions(Transition.builder()
                    .days(rule.transitionDays().getAsInt())
                    .storageClass(transitionClass(rule.storageClass()))
                    .build());
        }
        rule.expireDays().ifPresent(days -> builder.expiration(LifecycleExpiration.builder().days(days).build()));
        return builder.build();
    }

    /**
     * Arca's view of an S3 rule: empty when the rule is disabled, filters by tag (Arca's objects have
     * none), or has neither a transition nor an expiry in days. Of several transitions the earliest
     * is reported, the one after which objects stop being in the class they were written in.
     */
    static Optional<LifecycleRule> fromSdk(software.amazon.awssdk.services.s3.model.LifecycleRule rule) {
        if (rule.status() != ExpirationStatus.ENABLED || hasTags(rule.filter())) {
            return Optional.empty();
        }
        Optional<Transition> transition = rule.transitions().stream()
                .filter(t -> t.days() != null && t.storageClassAsString() != null)
                .min(Comparator.comparing(Transition::days));
        OptionalInt expire = rule.expiration() == null || rule.expiration().days() == null ? OptionalInt.empty()
                : OptionalInt.of(rule.expiration().days());
        if (transition.isEmpty() && expire.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LifecycleRule(rule.id() == null ? "" : rule.id(), prefix(rule),
                transition.map(t -> OptionalInt.of(t.days())).orElse(OptionalInt.empty()),
                transition.map(Transition::storageClassAsString).orElse(null), expire));
    }

    /** The key prefix an S3 rule applies to: its filter's, its legacy one, or empty for the whole bucket. */
    static String prefix(software.amazon.awssdk.services.s3.model.LifecycleRule rule) {
        LifecycleRuleFilter filter = rule.filter();
        if (filter != null) {
            if (filter.prefix() != null) {
                return filter.prefix();
            }
            if (filter.and() != null && filter.and().prefix() != null) {
                return filter.and().prefix();
            }
        }
        @SuppressWarnings("deprecation")
        String legacy = rule.prefix();
        return legacy == null ? "" : legacy;
    }

    /** True when a rule for {@code rulePrefix} acts on some of the objects under {@code prefix}. */
    static boolean overlaps(String rulePrefix, String prefix) {
        return prefix.startsWith(rulePrefix) || rulePrefix.startsWith(prefix);
    }

    /**
     * The bucket's rules with {@code rule} in place of the one with the same id, or added at the end.
     *
     * @throws StorageAccessException when the rule with that id belongs to another prefix (two store
     *     prefixes whose ids collide after sanitising), which replacing would take from it
     */
    static List<software.amazon.awssdk.services.s3.model.LifecycleRule> merge(
            List<software.amazon.awssdk.services.s3.model.LifecycleRule> existing,
            software.amazon.awssdk.services.s3.model.LifecycleRule rule, String bucket) {
        List<software.amazon.awssdk.services.s3.model.LifecycleRule> merged = new ArrayList<>();
        boolean replaced = false;
        for (var current : existing) {
            if (rule.id().equals(current.id())) {
                if (!prefix(current).equals(prefix(rule))) {
                    throw new StorageAccessException("lifecycle rule '" + rule.id() + "' of bucket '" + bucket
                            + "' applies to prefix '" + prefix(current) + "', not '" + prefix(rule) + "'",
                            "rename or remove that rule (aws s3api get-bucket-lifecycle-configuration --bucket "
                                    + bucket + ") and try again", null);
                }
                merged.add(rule);
                replaced = true;
            } else {
                merged.add(current);
            }
        }
        if (!replaced) {
            merged.add(rule);
        }
        return merged;
    }

    private static TransitionStorageClass transitionClass(String name) {
        TransitionStorageClass storageClass = TransitionStorageClass.fromValue(name.toUpperCase(Locale.ROOT));
        if (storageClass == TransitionStorageClass.UNKNOWN_TO_SDK_VERSION || storageClass == null) {
            throw new StorageAccessException("unknown S3 storage class '" + name + "' for a lifecycle transition",
                    "use one of " + Stream.of(TransitionStorageClass.values())
                            .filter(c -> c != TransitionStorageClass.UNKNOWN_TO_SDK_VERSION)
                            .map(Object::toString).collect(Collectors.joining(", ")), null);
        }
        return storageClass;
    }

    private static boolean hasTags(LifecycleRuleFilter filter) {
        if (filter == null) {
            return false;
        }
        LifecycleRuleAndOperator and = filter.and();
        return filter.tag() != null || and != null && and.hasTags() && !and.tags().isEmpty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
