package io.arca.postgres.logical;

import io.arca.core.error.UsageException;
import java.util.List;

/**
 * What {@link LogicalRestore} does.
 *
 * @param clean replace the target's objects: drop what the backup holds first, idempotently
 * @param safetyBackup with {@code clean} on a non-empty target, back the target up first
 * @param jobs parallel restore workers
 * @param tables restore only these tables ({@code pg_restore --table})
 * @param schemas restore only these schemas ({@code pg_restore --schema})
 * @param noOwner do not restore object ownership
 * @param noPrivileges do not restore privileges (GRANT/REVOKE)
 * @param replace with {@code clean} over a database that holds objects: how it is replaced
 */
public record LogicalRestoreOptions(boolean clean, boolean safetyBackup, int jobs, List<String> tables,
        List<String> schemas, boolean noOwner, boolean noPrivileges, ReplaceOptions replace) {

    public LogicalRestoreOptions {
        replace = replace == null ? ReplaceOptions.defaults() : replace;
        tables = List.copyOf(tables);
        schemas = List.copyOf(schemas);
        if (jobs < 1) {
            throw new UsageException("jobs must be at least 1");
        }
    }

    public LogicalRestoreOptions(boolean clean, boolean safetyBackup, int jobs, List<String> tables, List<String> schemas,
            boolean noOwner, boolean noPrivileges) {
        this(clean, safetyBackup, jobs, tables, schemas, noOwner, noPrivileges, ReplaceOptions.defaults());
    }

    public static LogicalRestoreOptions defaults() {
        return new LogicalRestoreOptions(false, true, 1, List.of(), List.of(), false, false);
    }

    public LogicalRestoreOptions withJobs(int n) {
        return new LogicalRestoreOptions(clean, safetyBackup, n, tables, schemas, noOwner, noPrivileges, replace);
    }

    public LogicalRestoreOptions withClean(boolean c) {
        return new LogicalRestoreOptions(c, safetyBackup, jobs, tables, schemas, noOwner, noPrivileges, replace);
    }

    public LogicalRestoreOptions withReplace(ReplaceOptions r) {
        return new LogicalRestoreOptions(clean, safetyBackup, jobs, tables, schemas, noOwner, noPrivileges, r);
    }
}
