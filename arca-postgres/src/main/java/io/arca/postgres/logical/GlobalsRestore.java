package io.arca.postgres.logical;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.postgres.local.ConnectionSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Restores the roles and tablespaces of a backup taken with {@code --globals} ({@code
 * globals.sql}, from {@code pg_dumpall --globals-only}) into the target's cluster.
 *
 * <p>The script is parsed ({@link GlobalsScript}), not run blindly. Roles and tablespaces the
 * cluster lacks are created with everything the script says about them (attributes, password,
 * settings, comment, memberships, grants). Existing ones are left untouched; with {@code clean},
 * they are brought to the backup's attributes, password, settings and memberships (never
 * dropped: they may own objects in other databases). The connecting role is never changed.
 * Memberships are granted to roles this restore created, or with {@code clean} to any role but
 * the connecting one, and only where the group exists.
 *
 * <p>Roles and memberships change in one transaction: all or nothing. Tablespaces follow, one
 * statement at a time, as {@code CREATE TABLESPACE} cannot run in a transaction; its directory
 * must exist on the target server's host, empty and owned by the server's user.
 */
public final class GlobalsRestore {
    private final Repository repository;
    private final Progress progress;

    /**
     * What a globals restore did.
     *
     * @param rolesCreated roles that did not exist and were created
     * @param rolesUpdated existing roles brought to the backup's (with {@code clean})
     * @param rolesKept existing roles left as they were (the connecting role always)
     * @param tablespacesCreated tablespaces created
     * @param tablespacesUpdated existing tablespaces brought to the backup's (with {@code clean})
     * @param tablespacesKept existing tablespaces left as they were
     * @param skipped statements not run: about kept objects, or of a kind Arca does not restore
     */
    public record Result(List<String> rolesCreated, List<String> rolesUpdated, List<String> rolesKept,
                         List<String> tablespacesCreated, List<String> tablespacesUpdated, List<String> tablespacesKept,
                         int skipped) {

        /** {@code roles created: alice, readers; roles kept: postgres; tablespaces created: fast}: for people. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            part(parts, "roles created", rolesCreated);
            part(parts, "roles updated", rolesUpdated);
            part(parts, "roles kept", rolesKept);
            part(parts, "tablespaces created", tablespacesCreated);
            part(parts, "tablespaces updated", tablespacesUpdated);
            part(parts, "tablespaces kept", tablespacesKept);
            return parts.isEmpty() ? "no roles or tablespaces in the backup" : String.join("; ", parts);
        }

        private static void part(List<String> parts, String what, List<String> names) {
            if (!names.isEmpty()) {
                parts.add(what + ": " + String.join(", ", names));
            }
        }
    }

    public GlobalsRestore(Repository repository, Progress progress) {
        this.repository = repository;
        this.progress = progress;
    }

    /** The backup's {@code globals.sql} artifact. */
    static ArtifactRecord globalsArtifact(BackupManifest backup) {
        return backup.artifacts().stream().filter(a -> LogicalBackup.GLOBALS_SOURCE.equals(a.source())).findFirst()
                .orElseThrow(() -> new UsageException("backup '" + backup.backupId()
                        + "' holds no roles and tablespaces (it was taken without --globals)",
                        "restore without --globals, or choose a backup taken with --globals", null));
    }

    /** Whether the backup holds roles and tablespaces. */
    public static boolean hasGlobals(BackupManifest backup) {
        return backup.artifacts().stream().anyMatch(a -> LogicalBackup.GLOBALS_SOURCE.equals(a.source()));
    }

    /**
     * Creates the backup's missing roles and tablespaces in the cluster of {@code target} (any of
     * its databases: roles are cluster-wide).
     *
     * @throws UsageException when the backup holds no globals
     * @throws ArcaException {@link ErrorCode#FAILURE} when a statement fails (naming it), {@link
     *     ErrorCode#VERIFICATION_FAILED} when the artifact is damaged
     */
    public Result run(BackupManifest backup, ConnectionSettings target, boolean clean) {
        ArtifactRecord artifact = globalsArtifact(backup);
        GlobalsScript script;
        try (InputStream in = repository.openArtifact(backup, artifact)) {
            // read whole and to its end, so the digest is checked before anything runs
            script = GlobalsScript.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.STORAGE_ACCESS, "cannot read '" + artifact.file() + "' of backup '"
                    + backup.backupId() + "': " + e.getMessage(), "check the repository, then restore again", e);
        }
        try (Connection c = TargetDatabase.maintenance(target)) {
            return apply(c, script, clean);
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.PG_CONNECTION, "lost the connection while restoring roles and tablespaces: "
                    + e.getMessage(), "check that the server is running, then restore again", e);
        }
    }

    private Result apply(Connection c, GlobalsScript script, boolean clean) throws SQLException {
        Set<String> roles = names(c, "select rolname from pg_catalog.pg_roles");
        Set<String> tablespaces = names(c, "select spcname from pg_catalog.pg_tablespace");
        Set<String> self = names(c, "select current_user union select session_user");
        Set<String> rolesCreated = new LinkedHashSet<>();
        Set<String> rolesUpdated = new LinkedHashSet<>();
        Set<String> rolesKept = new LinkedHashSet<>();
        Set<String> spcCreated = new LinkedHashSet<>();
        Set<String> spcUpdated = new LinkedHashSet<>();
        Set<String> spcKept = new LinkedHashSet<>();
        List<GlobalsScript.Statement> tablespaceStatements = new ArrayList<>();
        int skipped = 0;
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (GlobalsScript.Statement s : script.statements()) {
                boolean run;
                switch (s.kind()) {
                    case SETTING -> run = !s.sql().toLowerCase(java.util.Locale.ROOT).contains("client_encoding");
                    case ROLE -> {
                        String role = s.name();
                        if (self.contains(role)) {
                            run = false;
                            rolesKept.add(role);
                        } else if (!roles.contains(role) || rolesCreated.contains(role)) {
                            run = true;
                            rolesCreated.add(role);
                        } else if (clean) {
                            run = !s.creates();
                            rolesUpdated.add(role);
                        } else {
                            run = false;
                            rolesKept.add(role);
                        }
                    }
                    case MEMBERSHIP -> run = !self.contains(s.member())
                            && (roles.contains(s.name()) || rolesCreated.contains(s.name()))
                            && (rolesCreated.contains(s.member()) || clean && roles.contains(s.member()));
                    case TABLESPACE -> {
                        tablespaceStatements.add(s);
                        continue;
                    }
                    default -> run = false;
                }
                if (!run) {
                    skipped++;
                    continue;
                }
                execute(st, s);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            for (GlobalsScript.Statement s : tablespaceStatements) {
                String spc = s.name();
                boolean run;
                if (!tablespaces.contains(spc) || spcCreated.contains(spc)) {
                    run = true;
                    spcCreated.add(spc);
                } else if (clean) {
                    run = !s.creates();
                    spcUpdated.add(spc);
                } else {
                    run = false;
                    spcKept.add(spc);
                }
                if (!run) {
                    skipped++;
                    continue;
                }
                try {
                    execute(st, s);
                } catch (ArcaException e) {
                    throw new ArcaException(e.code(), e.getMessage() + (rolesCreated.isEmpty() ? ""
                            : " (roles " + String.join(", ", rolesCreated) + " were created before)"),
                            s.creates() ? "its directory must exist on the server's host, empty and owned by the"
                                    + " server's user; create it, or create the tablespace yourself, then restore again"
                                    : e.hint(), e.getCause());
                }
            }
        }
        Result r = new Result(List.copyOf(rolesCreated), List.copyOf(rolesUpdated), List.copyOf(rolesKept),
                List.copyOf(spcCreated), List.copyOf(spcUpdated), List.copyOf(spcKept), skipped);
        progress.note(r.describe() + (skipped == 0 ? "" : " (" + skipped + " statements not run)"));
        return r;
    }

    private static void execute(Statement st, GlobalsScript.Statement s) {
        try {
            st.execute(s.sql());
        } catch (SQLException e) {
            String what = s.kind() == GlobalsScript.Kind.TABLESPACE ? "tablespace '" + s.name() + "'"
                    : s.kind() == GlobalsScript.Kind.SETTING ? "a setting" : "role '" + s.name() + "'";
            String sql = s.sql().replaceAll("(?i)PASSWORD\\s+'[^']*'", "PASSWORD '...'");
            String head = sql.length() > 80 ? sql.substring(0, 80) + "..." : sql;
            throw new ArcaException(ErrorCode.FAILURE, "cannot restore " + what + ": " + firstLine(e.getMessage())
                    + " (in: " + head + ")",
                    "fix the cluster (or create the role yourself), then restore again", e);
        }
    }

    private static Set<String> names(Connection c, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.strip().lines().findFirst().orElse("");
    }
}
