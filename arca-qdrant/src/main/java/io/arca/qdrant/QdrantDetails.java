package io.arca.qdrant;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The details of a {@code qdrant.snapshot} section: one collection's snapshot.
 *
 * @param collection the collection's name
 * @param snapshot the name Qdrant gave the snapshot
 * @param size the snapshot's size in bytes
 * @param qdrantChecksum the SHA-256 Qdrant reported for the snapshot (checked against the one Arca
 *     computed while storing it, which is the artifact's {@code sha256}); null when it reported none
 * @param pointsCount the collection's {@code points_count} just before the snapshot; null when
 *     Qdrant reported none
 * @param pointsCountAfter its {@code points_count} once the snapshot was made: equal to
 *     {@code pointsCount} unless points were written meanwhile, and then the snapshot holds a count
 *     between the two
 * @param vectors the collection's vectors config ({@code config.params.vectors})
 * @param qdrantVersion the version of the Qdrant that made the snapshot
 */
public record QdrantDetails(String collection, String snapshot, long size, String qdrantChecksum, Long pointsCount,
        Long pointsCountAfter, JsonNode vectors, String qdrantVersion) {

    /** Whether {@code count} points fit what the backup recorded (see {@link #pointsCountAfter}). */
    boolean countFits(long count) {
        if (pointsCount == null) {
            return true;
        }
        long after = pointsCountAfter == null ? pointsCount : pointsCountAfter;
        return count >= Math.min(pointsCount, after) && count <= Math.max(pointsCount, after);
    }

    /** The recorded count as text: {@code 1200}, or {@code 1200 to 1210} when points were written during the snapshot. */
    String expectedCount() {
        if (pointsCount == null) {
            return "unknown";
        }
        return pointsCountAfter == null || pointsCountAfter.equals(pointsCount) ? Long.toString(pointsCount)
                : Math.min(pointsCount, pointsCountAfter) + " to " + Math.max(pointsCount, pointsCountAfter);
    }
}
