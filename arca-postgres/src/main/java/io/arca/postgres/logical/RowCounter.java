package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.postgres.manifest.PostgresSection.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Collects the tables a dump contains and their row counts in the dump's snapshot. Counts come
 * either from the dump itself ({@link #counted}: custom archives, where each row is one data
 * chunk) or from {@code count(*)} in the exported snapshot ({@link #add}: plain and directory
 * format), which runs while the dump goes on. With counting off, tables are recorded without.
 */
final class RowCounter {
    private final SnapshotSession session;
    private final boolean count;
    private final Map<TableRef, CompletableFuture<Long>> tables = new TreeMap<>();

    RowCounter(SnapshotSession session, boolean count) {
        this.session = session;
        this.count = count;
    }

    /** A table whose rows are counted with {@code count(*)} in the snapshot. */
    synchronized void add(TableRef table) {
        tables.computeIfAbsent(table, t -> count ? session.countRows(t) : CompletableFuture.completedFuture(null));
    }

    /** A table whose rows the dump itself counted. */
    synchronized void counted(TableRef table, long rows) {
        tables.put(table, CompletableFuture.completedFuture(count ? rows : null));
    }

    /** Waits for the counts; the tables sorted by schema and name. */
    List<TableInfo> results() {
        List<TableInfo> out = new ArrayList<>();
        Map<TableRef, CompletableFuture<Long>> copy;
        synchronized (this) {
            copy = new TreeMap<>(tables);
        }
        copy.forEach((t, f) -> {
            try {
                out.add(new TableInfo(t.schema(), t.name(), f.join()));
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        });
        return out;
    }
}
