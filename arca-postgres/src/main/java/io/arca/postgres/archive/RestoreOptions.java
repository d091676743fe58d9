package io.arca.postgres.archive;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a restore does. {@code pg_restore} always runs with {@code --exit-on-error}.
 *
 * @param jobs parallel {@code pg_restore} processes for the data, and {@code --jobs} for
 *     pre-data and post-data; 1 restores in one {@code pg_restore} reading the whole archive
 * @param tables restore only these tables ({@code -t}, in every phase); empty for all
 * @param schemas restore only these schemas ({@code -n}, in every phase); empty for all
 * @param clean drop the selected objects first ({@link ArchiveCleaner}), tolerating ones that
 *     do not exist, so restoring twice gives the same database as restoring once
 * @param noOwner {@code --no-owner}: objects belong to the restoring user
 * @param noPrivileges {@code --no-privileges}: skip GRANT and REVOKE
 * @param progress hears how much data has been fed
 * @param useList restore the entries of this {@code pg_restore --use-list} file instead of
 *     filtering by {@code tables} and {@code schemas}; {@link ArchiveRestore} writes it ({@link
 *     UseList}) for a table or schema restore, {@code null} otherwise
 * @param singleTransaction one {@code pg_restore --single-transaction} (one job), with {@code
 *     clean} as its {@code --clean --if-exists}: a failure leaves the target as it was
 */
public record RestoreOptions(int jobs, List<String> tables, List<String> schemas, boolean clean, boolean noOwner,
                             boolean noPrivileges, RestoreProgress progress, Path useList, boolean singleTransaction) {

    public RestoreOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1: " + jobs);
        }
        tables = List.copyOf(tables);
        schemas = List.copyOf(schemas);
        progress = progress == null ? RestoreProgress.NONE : progress;
        if (singleTransaction && jobs != 1) {
            throw new IllegalArgumentException("pg_restore runs one transaction with one job only: " + jobs);
        }
    }

    public RestoreOptions(int jobs, List<String> tables, List<String> schemas, boolean clean, boolean noOwner,
            boolean noPrivileges, RestoreProgress progress) {
        this(jobs, tables, schemas, clean, noOwner, noPrivileges, progress, null, false);
    }

    /** Whether tables or schemas are selected: a table or schema restore. */
    public boolean selective() {
        return !tables.isEmpty() || !schemas.isEmpty();
    }

    /** These options with a use-list in place of the filters, in one transaction or not (then jobs as given). */
    RestoreOptions withUseList(Path list, boolean oneTransaction) {
        return new RestoreOptions(oneTransaction ? 1 : jobs, tables, schemas, clean, noOwner, noPrivileges, progress,
                list, oneTransaction);
    }

    /** One job, everything, no clean, owners and privileges as dumped. */
    public static RestoreOptions defaults() {
        return new RestoreOptions(1, List.of(), List.of(), false, false, false, RestoreProgress.NONE);
    }

    public RestoreOptions withJobs(int n) {
        return new RestoreOptions(n, tables, schemas, clean, noOwner, noPrivileges, progress, useList, singleTransaction);
    }

    public RestoreOptions withTables(List<String> t) {
        return new RestoreOptions(jobs, t, schemas, clean, noOwner, noPrivileges, progress, useList, singleTransaction);
    }

    public RestoreOptions withSchemas(List<String> s) {
        return new RestoreOptions(jobs, tables, s, clean, noOwner, noPrivileges, progress, useList, singleTransaction);
    }

    public RestoreOptions withClean(boolean c) {
        return new RestoreOptions(jobs, tables, schemas, c, noOwner, noPrivileges, progress, useList, singleTransaction);
    }

    public RestoreOptions withNoOwner(boolean n) {
        return new RestoreOptions(jobs, tables, schemas, clean, n, noPrivileges, progress, useList, singleTransaction);
    }

    public RestoreOptions withNoPrivileges(boolean n) {
        return new RestoreOptions(jobs, tables, schemas, clean, noOwner, n, progress, useList, singleTransaction);
    }

    public RestoreOptions withProgress(RestoreProgress p) {
        return new RestoreOptions(jobs, tables, schemas, clean, noOwner, noPrivileges, p, useList, singleTransaction);
    }

    /** The {@code pg_restore} arguments that select objects and shape them, for every phase. */
    List<String> selectionArgs() {
        List<String> args = new ArrayList<>();
        if (useList != null) {
            args.add("--use-list=" + useList);
            if (singleTransaction) {
                args.add("--single-transaction");
                if (clean) {
                    args.add("--clean");
                    args.add("--if-exists");
                }
            }
        }
        for (String s : useList != null ? List.<String>of() : schemas) {
            args.add("--schema=" + Objects.requireNonNull(s));
        }
        for (String t : useList != null ? List.<String>of() : tables) {
            args.add("--table=" + Objects.requireNonNull(t));
        }
        if (noOwner) {
            args.add("--no-owner");
        }
        if (noPrivileges) {
            args.add("--no-privileges");
        }
        return args;
    }
}
