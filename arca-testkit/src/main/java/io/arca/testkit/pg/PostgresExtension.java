package io.arca.testkit.pg;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import java.sql.Connection;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL cluster per test class, started before the first test and removed after
 * the last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension PG = new PostgresExtension();
 *
 * @Test
 * void backsUp() {
 *     String db = PG.createDatabase("backup");
 *     try (Connection c = PG.connect(db)) { ... }
 * }
 * }</pre>
 *
 * <p>The cluster runs with {@code fsync} and friends off (see {@link
 * ClusterOptions#fastAndUnsafe()}). Nested test classes share their outer class's cluster. When
 * the PostgreSQL programs are missing the test class fails with a message saying how to install
 * them: a test never skips silently because its real dependency is absent.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    /** The major version Debian here ships, with {@code pg_dump} and friends. */
    public static final int DEFAULT_MAJOR = 15;

    private final ClusterOptions options;
    private final AtomicInteger databases = new AtomicInteger();
    private LocalCluster cluster;
    private int depth;

    /** PostgreSQL {@value #DEFAULT_MAJOR}, fast and unsafe. */
    public PostgresExtension() {
        this(ClusterOptions.defaults().withMajor(DEFAULT_MAJOR).withFastAndUnsafe(true));
    }

    /** A cluster started with {@code options} as given. */
    public PostgresExtension(ClusterOptions options) {
        this.options = options;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (depth++ > 0) {
            return;
        }
        try {
            cluster = LocalCluster.start(options);
        } catch (ArcaException e) {
            depth = 0;
            throw failure(e);
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--depth > 0 || cluster == null) {
            return;
        }
        LocalCluster c = cluster;
        cluster = null;
        c.close();
    }

    /** The running cluster. */
    public synchronized LocalCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the PostgreSQL cluster is not running: register "
                    + "PostgresExtension with @RegisterExtension on a static field and use it inside tests");
        }
        return cluster;
    }

    /** Creates a database named {@code prefix_N} (lowercased, unique in this cluster). */
    public String createDatabase(String prefix) {
        String name = prefix.toLowerCase(Locale.ROOT) + "_" + databases.incrementAndGet();
        return cluster().createDatabase(name);
    }

    /** A new connection as the superuser; close it. */
    public Connection connect(String database) {
        return cluster().connect(database);
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/database}, password not included. */
    public String url(String database) {
        return cluster().connectionUrl(database);
    }

    /** The superuser's settings, password included. */
    public ConnectionSettings settings(String database) {
        return cluster().connectionSettings(database);
    }

    private AssertionError failure(ArcaException e) {
        StringBuilder message = new StringBuilder("cannot start PostgreSQL for the test: ").append(e.getMessage());
        if (e.code() == ErrorCode.TOOL_NOT_FOUND) {
            int major = options.major() > 0 ? options.major() : DEFAULT_MAJOR;
            message.append("\ninstall the PostgreSQL server and client programs, e.g. on Debian: "
                    + "apt-get install postgresql-").append(major)
                    .append(" (or run .ci/run, which installs what the tests need)");
        } else if (e.hint() != null) {
            message.append('\n').append(e.hint());
        }
        return new AssertionError(message.toString(), e);
    }
}
