package io.arca.core.storage;

import io.arca.core.error.UsageException;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A bucket lifecycle rule for the objects under one key prefix: move them to a colder storage
 * class after some days, and optionally delete them later.
 *
 * @param id the rule's name in the bucket configuration (Arca uses {@code arca-<prefix>})
 * @param prefix the full key prefix in the bucket the rule applies to (the repository's prefix
 *     followed by {@code /}, or empty for a repository at the bucket's root)
 * @param transitionDays days after creation when objects move to {@code storageClass}, if any
 * @param storageClass the provider's class name ({@code GLACIER}, {@code DEEP_ARCHIVE},
 *     {@code COLDLINE}, {@code ARCHIVE}, ...), or null without a transition
 * @param expireDays days after creation when objects are deleted, if any
 */
public record LifecycleRule(String id, String prefix, OptionalInt transitionDays, String storageClass,
        OptionalInt expireDays) {

    public LifecycleRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(transitionDays, "transitionDays");
        Objects.requireNonNull(expireDays, "expireDays");
        if (transitionDays.isPresent() != (storageClass != null)) {
            throw new UsageException("a transition needs both days and a storage class");
        }
        if (transitionDays.isEmpty() && expireDays.isEmpty()) {
            throw new UsageException("a lifecycle rule needs a transition or an expiry");
        }
    }

    /** One line for people, e.g. {@code after 365 days to GLACIER, delete after 730 days}. */
    public String describe() {
        StringBuilder sb = new StringBuilder("objects under '").append(prefix).append("': ");
        transitionDays.ifPresent(days -> sb.append("after ").append(days).append(" days to ").append(storageClass));
        expireDays.ifPresent(days -> sb.append(transitionDays.isPresent() ? ", " : "").append("delete after ")
                .append(days).append(" days"));
        return sb.toString();
    }
}
