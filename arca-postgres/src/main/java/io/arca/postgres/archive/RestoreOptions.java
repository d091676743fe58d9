package io.arca.postgres.archive;

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
 */
public record RestoreOptions(int jobs, List<String> tables, List<String> schemas, boolean clean, boolean noOwner,
                             boolean noPrivileges, RestoreProgress progress) {

    public RestoreOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1: " + jobs);
        }
        tables = List.copyOf(tables);
        schemas = List.copyOf(schemas);
        progress = progress == null ? RestoreProgress.NONE : progress;
    }

    /** One job, everything, no clean, owners and privileges as dumped. */
    public static RestoreOptions defaults() {
        return new RestoreOptions(1, List.of(), List.of(), false, false, false, RestoreProgress.NONE);
    }

    public RestoreOptions withJobs(int n) {
        return new RestoreOptions(n, tables, schemas, clean, noOwner, noPrivileges, progress);
    }

    public RestoreOptions withTables(List<String> t) {
        return new RestoreOptions(jobs, t, schemas, clean, noOwner, noPrivileges, progress);
    }

    public RestoreOptions withSchemas(List<String> s) {
        return new RestoreOptions(jobs, tables, s, clean, noOwner, noPrivileges, progress);
    }

    public RestoreOptions withClean(boolean c) {
        return new RestoreOptions(jobs, tables, schemas, c, noOwner, noPrivileges, progress);
    }

    public RestoreOptions withNoOwner(boolean n) {
        return new RestoreOptions(jobs, tables, schemas, clean, n, noPrivileges, progress);
    }

    public RestoreOptions withNoPrivileges(boolean n) {
        return new RestoreOptions(jobs, tables, schemas, clean, noOwner, n, progress);
    }

    public RestoreOptions withProgress(RestoreProgress p) {
        return new RestoreOptions(jobs, tables, schemas, clean, noOwner, noPrivileges, p);
    }

    /** The {@code pg_restore} arguments that select objects and shape them, for every phase. */
    List<String> selectionArgs() {
        List<String> args = new ArrayList<>();
        for (String s : schemas) {
            args.add("--schema=" + Objects.requireNonNull(s));
        }
        for (String t : tables) {
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
