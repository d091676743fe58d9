package io.arca.postgres.logical;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Replaces a database by another one restored beside it: {@code <target>_arca_<hex>} is created
 * with the target's owner, encoding, locale, tablespace and connection limit, the backup is
 * restored into it, the target's database-level settings, ACL and comment are copied onto it,
 * and one transaction renames the target to {@code <target>_arca_old_<hex>} and the new
 * database to the target's name; the old one is then dropped.
 *
 * <p>Both renames commit together or not at all, so a kill at any point leaves a database under
 * the target's name: the old one until the commit, the restored one after. PostgreSQL refuses a
 * rename while other sessions use the database, and a session that connects while the renames
 * are under way waits for their lock and then fails (its database was renamed). With
 * {@code --terminate-connections} the target first stops accepting connections ({@code
 * ALLOW_CONNECTIONS false}, undone on failure), so ended sessions cannot come back before the
 * swap. What a kill leaves ({@code <target>_arca_...} databases, a target that refuses
 * connections) is removed or undone by the next restore into that target ({@link #removeLeftovers}).
 */
final class DatabaseSwap {
    private static final int MAX_IDENTIFIER = 63;
    private static final String MARK = "_arca_";
    /** Settings whose value pg_db_role_setting keeps as an already quoted list (as pg_dump's variable_is_guc_list_quote). */
    private static final Set<String> LIST_SETTINGS = Set.of("local_preload_libraries", "search_path",
            "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories");

    private final ConnectionSettings maintenance;
    private final String target;
    private final String fresh;
    private final String old;
    private final Consumer<String> notes;

    private DatabaseSwap(ConnectionSettings maintenance, String target, String suffix, Consumer<String> notes) {
        this.maintenance = maintenance;
        this.target = target;
        String base = prefix(target);
        this.fresh = base + MARK + suffix;
        this.old = base + MARK + "old_" + suffix;
        this.notes = notes;
    }

    /** A swap for {@code target}, through connections to {@code maintenance} (another database on its server). */
    static DatabaseSwap of(ConnectionSettings maintenance, String target, Consumer<String> notes) {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return new DatabaseSwap(maintenance, target, HexFormat.of().formatHex(b), notes);
    }

    /** The target's name cut so that {@code <it>_arca_old_<8 hex>} fits PostgreSQL's 63-byte names. */
    private static String prefix(String target) {
        int room = MAX_IDENTIFIER - (MARK.length() + "old_".length() + 8);
        String p = target;
        while (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > room) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The name of the database the backup is restored into before the swap. */
    String freshName() {
        return fresh;
    }

    /**
     * Whether the connecting role can do the swap: a superuser, or a role with CREATEDB that is a
     * member of the target's owner (to create the new database for that owner, rename and drop).
     */
    static boolean possible(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select r.rolsuper or (r.rolcreatedb"
                + " and pg_has_role(current_user, d.datdba, 'MEMBER')) from pg_roles r, pg_database d"
                + " where r.rolname = current_user and d.datname = ?")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Drops the databases an interrupted restore into {@code target} left ({@code
     * <target>_arca_<8 hex>}, {@code <target>_arca_old_<8 hex>}), and lets the target accept
     * connections again when such a restore had stopped them. A leftover still in use (a restore
     * running now) is left alone.
     */
    static void removeLeftovers(ConnectionSettings maintenance, String target, Consumer<String> notes) {
        Pattern ours = Pattern.compile(Pattern.quote(prefix(target) + MARK) + "(old_)?[0-9a-f]{8}");
        try (Connection c = PgConnections.open(maintenance)) {
            List<String> found = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select datname from pg_database")) {
                while (rs.next()) {
                    if (ours.matcher(rs.getString(1)).matches()) {
                        found.add(rs.getString(1));
                    }
                }
            }
            if (found.isEmpty()) {
                return;
            }
            boolean allRemoved = true;
            for (String name : found) {
                try (Statement st = c.createStatement()) {
                    st.execute("drop database " + TableRef.quote(name));
                    notes.accept("dropped database '" + name + "' that an interrupted restore into '" + target + "' left");
                } catch (SQLException inUse) {
                    allRemoved = false;
                    notes.accept("database '" + name + "' left by another restore into '" + target + "' is in use ("
                            + inUse.getMessage() + "); drop it once that restore is over");
                }
            }
            if (allRemoved) {
                try (PreparedStatement ps = c.prepareStatement("select datallowconn from pg_database where datname = ?")) {
                    ps.setString(1, target);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && !rs.getBoolean(1)) {
                            try (Statement st = c.createStatement()) {
                                st.execute("alter database " + TableRef.quote(target) + " allow_connections true");
                            }
                            notes.accept("database '" + target + "' accepts connections again (an interrupted restore"
                                    + " had stopped them)");
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot remove what an interrupted restore into '" + target
                    + "' left: " + e.getMessage(), "drop the databases named '" + prefix(target) + MARK
                    + "...' yourself", e);
        }
    }

    /** Creates the new database with the target's owner, encoding, locale, tablespace and connection limit. */
    void create() {
        try (Connection c = PgConnections.open(maintenance)) {
            JsonNode d = describe(c);
            StringBuilder sql = new StringBuilder("create database ").append(TableRef.quote(fresh))
                    .append(" template template0 owner ").append(TableRef.quote(d.get("owner").asText()))
                    .append(" encoding ").append(literal(d.get("encoding_name").asText()))
                    .append(" lc_collate ").append(literal(d.get("datcollate").asText()))
                    .append(" lc_ctype ").append(literal(d.get("datctype").asText()));
            String provider = d.path("datlocprovider").asText("");
            // 15 and 16 call the ICU locale daticulocale, 17 datlocale (also for the builtin provider)
            String locale = d.hasNonNull("datlocale") ? d.get("datlocale").asText()
                    : d.hasNonNull("daticulocale") ? d.get("daticulocale").asText() : null;
            if (provider.equals("i")) {
                sql.append(" locale_provider icu icu_locale ").append(literal(locale));
                if (d.hasNonNull("daticurules")) {
                    sql.append(" icu_rules ").append(literal(d.get("daticurules").asText()));
                }
            } else if (provider.equals("b")) {
                sql.append(" locale_provider builtin builtin_locale ").append(literal(locale));
            } else if (provider.equals("c")) {
                sql.append(" locale_provider libc");
            }
            sql.append(" tablespace ").append(TableRef.quote(d.get("tablespace").asText()))
                    .append(" connection limit ").append(d.get("datconnlimit").asInt());
            try (Statement st = c.createStatement()) {
                st.execute(sql.toString());
            }
            notes.accept("created database '" + fresh + "' to restore into; it replaces '" + target
                    + "' once the restore succeeded");
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot create database '" + fresh + "' beside '" + target + "': "
                    + e.getMessage(), "pass --in-place to restore into '" + target + "' itself (inside one transaction"
                    + " with --jobs 1)", e);
        }
    }

    /** Copies the target's database-level settings ({@code ALTER DATABASE/ROLE ... SET}), ACL and comment. */
    void copyDatabaseAttributes() {
        try (Connection c = PgConnections.open(maintenance); Statement st = c.createStatement()) {
            for (String sql : attributeStatements(c)) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot copy the settings and privileges of database '" + target
                    + "' to '" + fresh + "': " + e.getMessage(), "check that the restoring role owns '" + target + "'", e);
        }
    }

    private List<String> attributeStatements(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        String db = TableRef.quote(fresh);
        try (PreparedStatement ps = c.prepareStatement("select r.rolname, c.setting from pg_db_role_setting s"
                + " join pg_database d on d.oid = s.setdatabase left join pg_roles r on r.oid = s.setrole,"
                + " unnest(s.setconfig) with ordinality as c(setting, n)"
                + " where d.datname = ? order by r.rolname nulls first, c.n")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String role = rs.getString(1);
                    String setting = rs.getString(2);
                    int eq = setting.indexOf('=');
                    String name = setting.substring(0, eq);
                    String value = setting.substring(eq + 1);
                    String set = " set " + TableRef.quote(name) + " = "
                            + (LIST_SETTINGS.contains(name) ? value : literal(value));
                    out.add(role == null ? "alter database " + db + set
                            : "alter role " + TableRef.quote(role) + " in database " + db + set);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("select d.datacl is not null,"
                + " array(select case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end"
                + "   || ' ' || a.privilege_type || ' ' || a.is_grantable from aclexplode(d.datacl) a),"
                + " shobj_description(d.oid, 'pg_database'), quote_ident(pg_get_userbyid(d.datdba))"
                + " from pg_database d where d.datname = ?")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    // an explicit ACL replaces the default one (owner: all, PUBLIC: connect and temporary)
                    out.add("revoke all on database " + db + " from public");
                    out.add("revoke all on database " + db + " from " + rs.getString(4));
                    for (Object o : (Object[]) rs.getArray(2).getArray()) {
                        String[] g = o.toString().split(" ");
                        out.add("grant " + g[1] + " on database " + db + " to " + g[0]
                                + (g[2].equals("true") ? " with grant option" : ""));
                    }
                }
                if (rs.getString(3) != null) {
                    out.add("comment on database " + db + " is " + literal(rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** The target's pg_database row as JSON (its columns differ between versions), with owner, encoding and tablespace names. */
    private JsonNode describe(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select (to_jsonb(d) || jsonb_build_object('owner',"
                + " pg_get_userbyid(d.datdba), 'encoding_name', pg_encoding_to_char(d.encoding), 'tablespace',"
                + " (select spcname from pg_tablespace t where t.oid = d.dattablespace)))::text"
                + " from pg_database d where d.datname = ?")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ArcaException(ErrorCode.FAILURE, "database '" + target + "' disappeared during the restore",
                            "check who dropped it; the restored data is in database '" + fresh + "'");
                }
                return new ObjectMapper().readTree(rs.getString(1));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ArcaException(ErrorCode.INTERNAL, "cannot read the description of database '" + target + "'", null, e);
        }
    }

    /**
     * Puts the new database in the target's place and drops the old one. Other sessions on the
     * target fail the swap (listed), unless {@code terminate}: then the target stops accepting
     * connections, they are ended, and the renames follow.
     *
     * @param ownApplication the application name of this restore's own sessions, never counted
     * @param lockTimeout how long the renames wait for a lock, and ended sessions to go
     * @throws ArcaException FAILURE naming the sessions in the way; the target is then unchanged
     */
    void swap(String ownApplication, boolean terminate, Duration lockTimeout) {
        try (Connection c = PgConnections.open(maintenance)) {
            try (Statement st = c.createStatement()) {
                st.execute("set lock_timeout = " + lockTimeout.toMillis());
            }
            List<TargetSessions.Session> sessions = TargetSessions.on(c, target, ownApplication);
            boolean stopped = false;
            boolean swapped = false;
            try {
                if (!sessions.isEmpty()) {
                    if (!terminate) {
                        throw TargetSessions.inTheWay(target, sessions, "database '" + target + "' is unchanged");
                    }
                    alter(c, "alter database " + TableRef.quote(target) + " allow_connections false");
                    stopped = true;
                    // sessions that connected between the listing and the line above
                    sessions = TargetSessions.on(c, target, ownApplication);
                    notes.accept("ending " + sessions.size() + " session(s) on '" + target + "': "
                            + TargetSessions.describe(sessions));
                    TargetSessions.terminate(c, target, sessions, Math.max(lockTimeout.toMillis(), 1000));
                }
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("alter database " + TableRef.quote(target) + " rename to " + TableRef.quote(old));
                    st.execute("alter database " + TableRef.quote(fresh) + " rename to " + TableRef.quote(target));
                    c.commit();
                    swapped = true;
                } catch (SQLException e) {
                    c.rollback();
                    if ("55006".equals(e.getSQLState())) {
                        List<TargetSessions.Session> now = TargetSessions.on(c, target, ownApplication);
                        throw TargetSessions.inTheWay(target, now, "they connected while the restore ran, and database '"
                                + target + "' is unchanged");
                    }
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } finally {
                if (stopped && !swapped) {
                    alter(c, "alter database " + TableRef.quote(target) + " allow_connections true");
                }
            }
            notes.accept("database '" + fresh + "' renamed to '" + target + "'; the previous '" + target + "' is '"
                    + old + "' until it is dropped");
            try (Statement st = c.createStatement()) {
                st.execute("drop database " + TableRef.quote(old) + " with (force)");
                notes.accept("dropped the previous database ('" + old + "')");
            } catch (SQLException e) {
                notes.accept("could not drop the previous database '" + old + "' (" + e.getMessage()
                        + "); the next restore into '" + target + "' drops it, or drop it yourself");
            }
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot put database '" + fresh + "' in the place of '" + target
                    + "': " + e.getMessage() + "; database '" + target + "' is unchanged",
                    "check that the restoring role owns '" + target + "' and has CREATEDB, or pass --in-place", e);
        }
    }

    /** Drops the new database after a failed restore or swap; errors are only noted. */
    void dropFresh() {
        try (Connection c = PgConnections.open(maintenance); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + TableRef.quote(fresh) + " with (force)");
            notes.accept("dropped database '" + fresh + "' that the failed restore wrote into");
        } catch (SQLException | RuntimeException e) {
            notes.accept("could not drop database '" + fresh + "' (" + e.getMessage() + "); the next restore into '"
                    + target + "' drops it");
        }
    }

    private static void alter(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
