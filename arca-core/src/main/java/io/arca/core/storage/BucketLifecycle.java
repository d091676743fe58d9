package io.arca.core.storage;

import java.util.List;

/**
 * The lifecycle rules of the bucket a store lives in, offered through
 * {@link Storage#capability(Class)} by stores whose service has them (S3, GCS). Rules act on the
 * whole bucket, so implementations change only the rule with the given id and keep every other
 * rule as it was.
 */
public interface BucketLifecycle {

    /** The rule Arca would name for this store's prefix ({@code arca-...}); see {@link LifecycleRule}. */
    String ruleId();

    /** The full key prefix of this store in its bucket, ending in {@code /} unless empty. */
    String rulePrefix();

    /**
     * Every lifecycle rule of the bucket that acts on objects under {@code prefix} (a full key
     * prefix such as {@code rulePrefix() + "backups/"}): rules for that prefix, for a prefix of it,
     * or for a longer prefix below it. A rule that {@link #apply} set for exactly {@code prefix}
     * comes back as one rule named {@link #ruleId()}.
     */
    List<LifecycleRule> rules(String prefix);

    /**
     * Adds the rule, or replaces the bucket's rule with the same id; all other rules stay.
     *
     * @throws StorageAccessException when the storage class is unknown to the service or the caller
     *     may not change the bucket's configuration
     */
    void apply(LifecycleRule rule);
}
