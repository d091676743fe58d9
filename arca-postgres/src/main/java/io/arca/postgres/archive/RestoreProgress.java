package io.arca.postgres.archive;

/**
 * Hears how much table and large-object data has been fed to {@code pg_restore}. Calls come
 * from the feeding threads, one at a time, with {@code fed} never decreasing.
 */
@FunctionalInterface
public interface RestoreProgress {

    /** Ignores progress. */
    RestoreProgress NONE = (fed, total) -> { };

    /**
     * @param fed bytes of data blocks handed to {@code pg_restore} so far
     * @param total bytes of the data blocks this restore loads; {@code -1} when not known in
     *     advance (a restore from one stream, where {@code fed} counts every byte of it)
     */
    void dataFed(long fed, long total);
}
