package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import io.arca.core.ArcaVersion;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.local.PgBinaries;
import io.arca.postgres.local.PgConnections;
import io.arca.postgres.local.PgVersion;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A restore drill: restores a logical backup into a scratch target (an ephemeral cluster that it
 * starts with the local server programs of the backup's major version, or a scratch database on a
 * given server), checks what came back against the manifest (every table with exactly its row
 * count, no table the backup does not hold, the migration version) and the user's checks, measures
 * the recovery time, removes the scratch target, and writes the evidence into the repository,
 * passed or failed. A cluster it started is removed by a shutdown hook on Ctrl-C as well; a scratch
 * database on a server is dropped by one.
 *
 * <p>Objects are restored without owners and privileges: the roles of the source do not exist in a
 * scratch cluster, and the drill proves the data, not the grants.
 */
public final class RestoreDrill {
    public static final String EPHEMERAL_CLUSTER = "ephemeral-cluster";
    public static final String SERVER = "server";
    private static final String SCRATCH_DATABASE = "arca_drill";

    private final Repository repository;
    private final PgBinaries binaries;
    private final Progress progress;

    public RestoreDrill(Repository repository, PgBinaries binaries, Progress progress) {
        this.repository = repository;
        this.binaries = binaries;
        this.progress = progress;
    }

    /**
     * Runs the drill and writes its evidence. Returns the evidence whether the checks passed or not;
     * throws (after writing evidence) when the drill could not run to its checks: the scratch
     * target could not be made, a key was missing, the restore failed.
     */
    public DrillRecord run(BackupManifest m, DrillOptions o) {
        Instant started = repository.clock().instant();
        BackupId drillId = repository.newDrillId();
        Map<String, Long> timings = new LinkedHashMap<>();
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("arca", ArcaVersion.get());
        Checks checks = null;
        DrillRecord.Scratch scratch = null;
        Long rto = null;
        RuntimeException error = null;
        Scratch target = null;
        long t0 = System.nanoTime();
        List<DrillRecord.SectionCheck> sections = List.of();
        boolean database = m.has(LogicalBackup.SOURCE);
        try {
            if (database) {
                target = o.scratchServer() == null ? ephemeral(m) : onServer(o.scratchServer(), drillId);
                scratch = target.describe();
                timings.put("scratchMillis", millis(t0));
                progress.note("restoring backup '" + m.backupId() + "' into a scratch "
                        + (o.scratchServer() == null ? "cluster (PostgreSQL " + scratch.serverVersion() + ")"
                                : "database '" + scratch.database() + "' on " + scratch.host()));
                tools.put("postgres", scratch.serverVersion());
                restoreTool(m, target.settings()).ifPresent(v -> tools.put("pg_restore", v));
                long t1 = System.nanoTime();
                new LogicalRestore(repository, binaries, progress).run(m, target.settings(),
                        new LogicalRestoreOptions(false, false, o.jobs(), List.of(), List.of(), true, true));
                timings.put("restoreMillis", millis(t1));
                long t2 = System.nanoTime();
                progress.note("checking tables, row counts, migration version and " + o.checks().size()
                        + " user check(s)");
                checks = check(m, target.settings(), o);
                timings.put("checkMillis", millis(t2));
                rto = timings.get("restoreMillis") + timings.get("checkMillis");
            }
            if (o.sections() != null) {
                long t4 = System.nanoTime();
                sections = o.sections().get();
                timings.put("sectionsMillis", millis(t4));
                rto = (rto == null ? 0 : rto) + timings.get("sectionsMillis");
            }
        } catch (RuntimeException e) {
            error = e;
        } finally {
            long t3 = System.nanoTime();
            if (target != null) {
                try {
                    target.close();
                } catch (RuntimeException e) {
                    if (error == null) {
                        error = e;
                    } else {
                        error.addSuppressed(e);
                    }
                }
            }
            timings.put("cleanupMillis", millis(t3));
        }
        String failure = error != null ? oneLine(error) : checks != null ? checks.firstProblem() : null;
        if (failure == null) {
            failure = sections.stream().filter(c -> !c.ok()).findFirst()
                    .map(c -> c.source() + " " + c.subject() + ": " + c.problem()).orElse(null);
        }
        PostgresSection.DatabaseInfo db = PostgresSection.database(m);
        String databaseName = db == null ? null : db.name();
        DrillRecord record = new DrillRecord(RepositoryConfig.FORMAT_VERSION, drillId.value(),
                repository.config().repositoryId(), m.backupId(), databaseName, started, repository.clock().instant(),
                m.startedAt(), Duration.between(m.startedAt(), started).toSeconds(), scratch, tools, timings, rto,
                o.rtoTarget(), checks == null ? List.of() : checks.tables(), checks == null ? null : checks.migration(),
                checks == null ? List.of() : checks.queries(), sections,
                failure == null ? DrillRecord.PASS : DrillRecord.FAIL, failure);
        repository.writeDrill(record);
        if (error != null) {
            throw error;
        }
        return record;
    }

    private static long millis(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static String oneLine(RuntimeException e) {
        String s = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private Optional<String> restoreTool(BackupManifest m, ConnectionSettings target) {
        try {
            int major = Math.max(TargetDatabase.serverMajor(target), LogicalRestore.dumpMajor(m));
            return Optional.of(binaries.versionOf(binaries.require(
                    LogicalRestore.formatOf(m) == DumpFormat.PLAIN ? "psql" : "pg_restore", major)).toString());
        } catch (RuntimeException e) {
            // the restore itself reports a missing program
            return Optional.empty();
        }
    }

    /** A scratch target: where to restore, how the evidence describes it, and how it is removed. */
    private record Scratch(ConnectionSettings settings, DrillRecord.Scratch describe, Runnable remove)
            implements AutoCloseable {
        @Override
        public void close() {
            remove.run();
        }
    }

    /**
     * An ephemeral cluster of the backup's server major version, set up for one bulk restore that is
     * thrown away: no fsync, minimal WAL with few checkpoints, more memory for index builds, and no
     * autovacuum competing with the restore and the row counts.
     */
    private Scratch ephemeral(BackupManifest m) {
        int major = backupMajor(m);
        Path initdb;
        try {
            initdb = binaries.require("initdb", major);
        } catch (ArcaException e) {
            throw new ArcaException(e.code(), e.getMessage(), "install the PostgreSQL " + major + " server programs"
                    + " (Debian: postgresql-" + major + ") or point --pg-bin at them, or drill on a server of your"
                    + " choice with --scratch URL", e);
        }
        LocalCluster cluster = LocalCluster.start(ClusterOptions.defaults().withBinDirectory(initdb.getParent())
                .withFastAndUnsafe(true).withSetting("wal_level", "minimal").withSetting("max_wal_senders", "0")
                .withSetting("max_wal_size", "4GB").withSetting("checkpoint_timeout", "30min")
                .withSetting("maintenance_work_mem", "256MB").withSetting("autovacuum", "off"));
        return new Scratch(cluster.connectionSettings(SCRATCH_DATABASE), new DrillRecord.Scratch(EPHEMERAL_CLUSTER,
                cluster.version().toString(), null, SCRATCH_DATABASE), cluster::close);
    }

    /** The major version of the server the backup was taken from (the dump's when the server's is not recorded). */
    static int backupMajor(BackupManifest m) {
        PostgresSection.DatabaseInfo db = PostgresSection.database(m);
        String v = db == null ? null : db.serverVersion();
        if (v != null) {
            try {
                return PgVersion.parseVersionOutput("postgres (PostgreSQL) " + v).major();
            } catch (ArcaException e) {
                // fall back to the dump's version
            }
        }
        int dump = LogicalRestore.dumpMajor(m);
        if (dump == 0) {
            throw new ArcaException(ErrorCode.FAILURE, "backup '" + m.backupId() + "' records no server version",
                    "run the drill on a server of your choice with --scratch URL");
        }
        return dump;
    }

    /** A uniquely named scratch database on a given server; dropped afterwards, also on Ctrl-C. */
    private Scratch onServer(ConnectionSettings server, BackupId drillId) {
        String name = "arca_drill_" + drillId.value().toLowerCase(Locale.ROOT).replace('-', '_');
        ConnectionSettings settings = server.withDatabase(name);
        String version;
        try (Connection c = PgConnections.open(server); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_setting('server_version'),"
                        + " exists (select 1 from pg_database where datname = '" + name + "')")) {
            rs.next();
            version = rs.getString(1);
            if (rs.getBoolean(2)) {
                throw new ArcaException(ErrorCode.FAILURE, "scratch database '" + name + "' already exists on "
                        + server.hostAndPort(), "drop it, or run the drill again (the name changes every time)");
            }
        } catch (SQLException e) {
            throw PgConnections.map(server, e);
        }
        Thread dropOnExit = new Thread(() -> TargetDatabase.dropQuietly(settings), "arca-drill-scratch-cleanup");
        Runtime.getRuntime().addShutdownHook(dropOnExit);
        return new Scratch(settings, new DrillRecord.Scratch(SERVER, version, server.hostAndPort(), name), () -> {
            TargetDatabase.dropQuietly(settings);
            try {
                Runtime.getRuntime().removeShutdownHook(dropOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        });
    }

    /** What the checks found. */
    private record Checks(List<DrillRecord.TableCheck> tables, DrillRecord.MigrationCheck migration,
            List<DrillRecord.QueryCheck> queries) {
        /** The first problem, one line naming it, or null when everything passed. */
        String firstProblem() {
            for (DrillRecord.TableCheck t : tables) {
                if (!t.ok()) {
                    String table = "table " + t.schema() + "." + t.name();
                    if (!t.inBackup()) {
                        return table + " is not in the backup's manifest (" + t.actualRows() + " rows)";
                    }
                    if (t.actualRows() == null) {
                        return table + " is missing (the backup recorded " + t.expectedRows() + " rows)";
                    }
                    return table + " has " + t.actualRows() + " rows, the backup recorded " + t.expectedRows();
                }
            }
            if (migration != null && !migration.ok()) {
                return "migration version is " + (migration.actual() == null ? "missing"
                        : migration.actualTool() + " " + migration.actual()) + ", the backup recorded "
                        + migration.expectedTool() + " " + migration.expected();
            }
            for (DrillRecord.QueryCheck q : queries) {
                if (!q.ok()) {
                    return "check '" + q.sql() + "' returned " + q.actual() + ", expected " + q.expect();
                }
            }
            return null;
        }
    }

    private Checks check(BackupManifest m, ConnectionSettings target, DrillOptions o) {
        Map<TableRef, Long> expected = new TreeMap<>();
        Set<TableRef> listed = new TreeSet<>();
        PostgresSection.DatabaseInfo db = PostgresSection.database(m);
        if (db != null) {
            db.tables().forEach(t -> {
                TableRef ref = new TableRef(t.schema(), t.name());
                listed.add(ref);
                expected.put(ref, t.rows());
            });
        }
        try (Connection c = PgConnections.open(target)) {
            Set<TableRef> found = new TreeSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select n.nspname, c.relname, exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
                            + " and d.objid = c.oid and d.deptype = 'e')"
                            + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                            + " where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')"
                            + " and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'")) {
                while (rs.next()) {
                    TableRef t = new TableRef(rs.getString(1), rs.getString(2));
                    // an extension's own tables come with CREATE EXTENSION; they count only when the dump held their data
                    if (!rs.getBoolean(3) || listed.contains(t)) {
                        found.add(t);
                    }
                }
            }
            Set<TableRef> all = new TreeSet<>(listed);
            all.addAll(found);
            List<TableRef> toCount = all.stream().filter(found::contains).toList();
            Map<TableRef, Long> counted = count(target, toCount, expected, o.jobs());
            List<DrillRecord.TableCheck> tables = new ArrayList<>();
            for (TableRef t : all) {
                Long want = expected.get(t);
                Long got = counted.get(t);
                boolean inBackup = listed.contains(t);
                boolean ok = inBackup && got != null && (want == null || want.equals(got));
                tables.add(new DrillRecord.TableCheck(t.schema(), t.name(), inBackup, want, got, ok));
            }
            // problems first, in a telling order: missing tables, wrong counts, extra tables
            tables.sort(Comparator.comparing((DrillRecord.TableCheck t) -> t.ok() ? 3
                    : !t.inBackup() ? 2 : t.actualRows() == null ? 0 : 1));
            DrillRecord.MigrationCheck migration = null;
            PostgresSection.MigrationInfo want = db == null ? null : db.migration();
            if (want != null) {
                PostgresSection.MigrationInfo got = MigrationVersions.read(c);
                migration = new DrillRecord.MigrationCheck(want.tool(), want.version(), got == null ? null : got.tool(),
                        got == null ? null : got.version(), want.equals(got));
            }
            List<DrillRecord.QueryCheck> queries = new ArrayList<>();
            for (UserCheck check : o.checks()) {
                String actual = queryValue(c, check.sql());
                queries.add(new DrillRecord.QueryCheck(check.sql(), check.expect(), actual, check.accepts(actual)));
            }
            return new Checks(tables, migration, queries);
        } catch (SQLException e) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "checking the restored scratch database failed: "
                    + e.getMessage(), "see the query in the message; a user check must return one value", e);
        }
    }

    private static String queryValue(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new SQLException("check '" + sql + "' failed: " + e.getMessage(), e);
        }
    }

    private static long rows(Map<TableRef, Long> expected, TableRef t) {
        Long rows = expected.get(t);
        return rows == null ? 0 : rows;
    }

    /**
     * {@code count(*)} of every table over {@code jobs} connections; the largest tables (by the
     * manifest's counts) go first, each to the least loaded connection.
     */
    private static Map<TableRef, Long> count(ConnectionSettings target, List<TableRef> tables, Map<TableRef, Long> expected,
            int jobs) throws SQLException {
        int n = Math.max(1, Math.min(jobs, tables.size()));
        List<List<TableRef>> shares = new ArrayList<>();
        long[] load = new long[n];
        for (int i = 0; i < n; i++) {
            shares.add(new ArrayList<>());
        }
        List<TableRef> bySize = new ArrayList<>(tables);
        bySize.sort(Comparator.comparing((TableRef t) -> rows(expected, t)).reversed());
        for (TableRef t : bySize) {
            int least = 0;
            for (int i = 1; i < n; i++) {
                if (load[i] < load[least]) {
                    least = i;
                }
            }
            shares.get(least).add(t);
            load[least] += 1 + rows(expected, t);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "arca-drill-count");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Map<TableRef, Long>>> futures = new ArrayList<>();
            for (List<TableRef> share : shares) {
                futures.add(pool.submit(() -> {
                    Map<TableRef, Long> out = new TreeMap<>();
                    try (Connection c = PgConnections.open(target); Statement st = c.createStatement()) {
                        for (TableRef t : share) {
                            try (ResultSet rs = st.executeQuery("select count(*) from " + t.qualified())) {
                                rs.next();
                                out.put(t, rs.getLong(1));
                            }
                        }
                    }
                    return out;
                }));
            }
            Map<TableRef, Long> all = new TreeMap<>();
            for (Future<Map<TableRef, Long>> f : futures) {
                all.putAll(f.get());
            }
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "drill interrupted", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
