package io.arca.postgres.archive;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Drops what an archive would create, before a restore: the {@code --clean} of a restore that
 * runs {@code pg_restore} in phases, where {@code pg_restore --clean} in the pre-data phase
 * would not see the post-data objects (foreign keys) that must go first.
 *
 * <p>As {@code pg_restore --clean --if-exists} does, it runs each selected entry's drop
 * statement in reverse archive order (dependents before what they depend on), with large
 * objects unlinked only where they exist. Each statement runs in auto-commit; one that fails
 * because its object (or the object's schema or table) does not exist is skipped, so cleaning
 * is idempotent and works on an empty database.
 *
 * <p>Unlike {@code pg_restore --clean --if-exists --exit-on-error}, which stops at a
 * partition's primary key ("cannot drop inherited constraint"), a drop that fails because
 * another object still needs it is retried once the rest has run; by then the parent's drop
 * has usually taken it along. A drop that still fails then, or fails for any other reason,
 * stops the clean: typically an object outside the archive depends on one inside it.
 */
public final class ArchiveCleaner {

    /**
     * The SQLSTATEs that mean "nothing to drop": undefined object, table, schema, function,
     * column.
     */
    public static final Set<String> ABSENT_STATES = Set.of("42704", "42P01", "3F000", "42883", "42703");

    /**
     * The SQLSTATEs of drops that must wait for another drop: dependent objects still exist
     * (an index attached to a partitioned index), invalid table definition (a partition's
     * inherited constraint, which goes with its parent's). These are retried after the other
     * drops, pass after pass while each pass drops something.
     */
    static final Set<String> DEFERRED_STATES = Set.of("2BP01", "42P16");

    /**
     * What a clean did.
     *
     * @param executed statements that ran successfully
     * @param absent statements skipped because their object did not exist
     */
    public record CleanReport(int executed, int absent) {
    }

    /** One statement and the entry it drops. */
    record DropStatement(TocEntry entry, String sql) {
    }

    private ArchiveCleaner() {
    }

    /**
     * Drops the selected entries' objects.
     *
     * @param connection to the restore target; its auto-commit setting is restored afterwards
     * @param selected which dump ids to drop (as {@code pg_restore -l} with the restore's filters
     *     lists them)
     * @throws ArcaException {@link ErrorCode#FAILURE} when a drop fails for another reason than
     *     a missing object; {@link ErrorCode#PG_CONNECTION} when the connection breaks
     */
    public static CleanReport clean(Connection connection, ArchiveToc toc, IntPredicate selected) {
        List<DropStatement> drops = dropStatements(toc, selected);
        int executed = 0;
        int absent = 0;
        try {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            try (Statement st = connection.createStatement()) {
                // The archive's search path (empty since pg_dump 10.3): its drops are schema-qualified.
                for (TocEntry e : toc.entries()) {
                    if (e.is("SEARCHPATH") && e.defn() != null && !e.defn().isBlank()) {
                        st.execute(e.defn());
                    }
                }
                List<DropStatement> pending = drops;
                while (!pending.isEmpty()) {
                    List<DropStatement> deferred = new ArrayList<>();
                    SQLException firstDeferral = null;
                    for (DropStatement drop : pending) {
                        try {
                            st.execute(drop.sql());
                            executed++;
                        } catch (SQLException ex) {
                            if (ABSENT_STATES.contains(ex.getSQLState())) {
                                absent++;
                            } else if (DEFERRED_STATES.contains(ex.getSQLState())) {
                                deferred.add(drop);
                                firstDeferral = firstDeferral == null ? ex : firstDeferral;
                            } else {
                                throw failed(drop, ex);
                            }
                        }
                    }
                    if (deferred.size() == pending.size()) {
                        throw failed(deferred.get(0), firstDeferral);
                    }
                    pending = deferred;
                }
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.PG_CONNECTION,
                    "lost the connection while dropping the backup's objects: " + firstLine(e.getMessage()),
                    "check that the server is running, then restore again with --clean", e);
        }
        return new CleanReport(executed, absent);
    }

    /**
     * The statements {@link #clean} runs, in order: for each selected entry with a drop
     * statement, last entry first. {@code DATABASE} entries are never dropped.
     */
    static List<DropStatement> dropStatements(ArchiveToc toc, IntPredicate selected) {
        List<DropStatement> drops = new ArrayList<>();
        List<TocEntry> entries = toc.entries();
        for (int i = entries.size() - 1; i >= 0; i--) {
            TocEntry e = entries.get(i);
            if (!selected.test(e.dumpId()) || e.is("DATABASE") || e.is("DATABASE PROPERTIES")) {
                continue;
            }
            if (e.is("BLOB METADATA")) {
                // Format 1.16 groups large objects: the definition lists their OIDs, one per line.
                for (String oid : e.defn() == null ? new String[0] : e.defn().split("\n")) {
                    if (!oid.isBlank()) {
                        drops.add(new DropStatement(e, unlinkIfExists(oid.trim())));
                    }
                }
                continue;
            }
            String sql = e.dropStmt();
            if (sql == null || sql.isBlank() || sql.stripLeading().startsWith("--")) {
                continue;
            }
            drops.add(new DropStatement(e, e.is("BLOB") ? unlinkIfExists(Long.toString(e.oid())) : sql));
        }
        return drops;
    }

    private static String unlinkIfExists(String oid) {
        if (!oid.chars().allMatch(Character::isDigit)) {
            throw ArchiveErrors.malformed("archive names a large object '" + oid + "' that is not an OID");
        }
        return "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '" + oid + "'";
    }

    private static ArcaException failed(DropStatement drop, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08")) {
            return new ArcaException(ErrorCode.PG_CONNECTION,
                    "lost the connection while dropping " + drop.entry().describe() + ": " + firstLine(e.getMessage()),
                    "check that the server is running, then restore again with --clean", e);
        }
        String hint = state.equals("2BP01")
                ? "objects that are not in the backup depend on it: drop them first, or restore into an empty database"
                : "drop it by hand, or restore into an empty database";
        return new ArcaException(ErrorCode.FAILURE,
                "could not drop " + drop.entry().describe() + ": " + firstLine(e.getMessage())
                        + (state.isEmpty() ? "" : " (sqlstate " + state + ")"), hint, e);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.strip().lines().findFirst().orElse("");
    }
}
