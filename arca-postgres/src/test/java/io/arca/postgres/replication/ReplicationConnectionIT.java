package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.postgres.replication.ReplicationFixtures.CreatedTablespace;
import io.arca.postgres.replication.ReplicationFixtures.ReceivedBackup;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The replication client against a real PostgreSQL 15 (the new BASE_BACKUP protocol). */
class ReplicationConnectionIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static CreatedTablespace tablespace;

    @TempDir
    Path work;

    @BeforeAll
    static void tablespaceAndData() throws Exception {
        tablespace = ReplicationFixtures.createTablespaceWithData(PG.cluster(), "ts_one");
    }

    private static ReplicationConnection open() {
        return ReplicationConnection.open(PG.settings("postgres"));
    }

    @Test
    void identifySystemMatchesTheServer() throws Exception {
        LocalCluster cluster = PG.cluster();
        Lsn before = Lsn.parse(ReplicationFixtures.queryOne(cluster, "SELECT pg_current_wal_flush_lsn()"));
        SystemIdentity id;
        try (ReplicationConnection c = open()) {
            id = c.identifySystem();
            assertThat(c.serverVersionNum())
                    .isEqualTo(Integer.parseInt(ReplicationFixtures.queryOne(cluster, "SHOW server_version_num")));
            assertThat(c.parameter("server_version")).startsWith("15.");
            assertThat(c.parameter("application_name")).isEqualTo("arca");
            assertThat(c.parameter("no_such_parameter")).isNull();
            assertThat(c.isEncrypted()).isFalse(); // the test cluster has no TLS; prefer falls back
            // The connection is a WAL sender: it shows in pg_stat_replication.
            assertThat(ReplicationFixtures.queryOne(cluster,
                    "SELECT application_name FROM pg_stat_replication WHERE pid = " + c.backendPid())).isEqualTo("arca");
        }
        Lsn after = Lsn.parse(ReplicationFixtures.queryOne(cluster, "SELECT pg_current_wal_lsn()"));
        assertThat(id.systemId()).isEqualTo(Long.parseUnsignedLong(
                ReplicationFixtures.queryOne(cluster, "SELECT system_identifier FROM pg_control_system()")));
        assertThat(id.timeline()).isEqualTo(new TimelineId(1));
        assertThat(id.xlogPos()).isGreaterThanOrEqualTo(before).isLessThanOrEqualTo(after);
    }

    @Test
    void baseBackupWithTablespaceAndManifestVerifies() throws Exception {
        PG.cluster().execute("postgres", "INSERT INTO in_main SELECT g, 'more' FROM generate_series(5001, 6000) g");
        try (ReplicationConnection c = open()) {
            ReceivedBackup r;
            try (BaseBackup b = c.startBaseBackup(new BaseBackupRequest("arca 'it' backup", true, false, "SHA256", false))) {
                assertThat(b.timeline()).isEqualTo(new TimelineId(1));
                r = ReplicationFixtures.receive(b, work.resolve("parts"));
            }
            BaseBackupAssertions.assertCompleteBackup(r, tablespace, "arca 'it' backup", c.serverVersionNum(), work, true);
            // The server is ready for the next command on the same connection.
            assertThat(c.identifySystem().xlogPos()).isGreaterThanOrEqualTo(r.end().stopLsn());
        }
    }

    @Test
    void unreadPartsAreSkippedAndTheBackupStillEnds() throws Exception {
        try (ReplicationConnection c = open();
                BaseBackup b = c.startBaseBackup(new BaseBackupRequest("skip", true, false, "CRC32C", true))) {
            int parts = 0;
            long readOfFirst = 0;
            for (Part p = b.next(); p != null; p = b.next()) {
                if (parts++ == 0) {
                    readOfFirst = p.stream().readNBytes(1000).length;
                }
            }
            assertThat(parts).isEqualTo(3);
            assertThat(readOfFirst).isEqualTo(1000);
            BackupEnd end = b.finish();
            assertThat(end.stopLsn()).isGreaterThanOrEqualTo(b.startLsn());
            assertThat(b.bytesReceived()).isGreaterThan(b.estimatedBytes() / 2);
            assertThat(b.next()).isNull();
        }
    }

    @Test
    void withoutManifestAndWithTablespaceMap() throws Exception {
        try (ReplicationConnection c = open();
                BaseBackup b = c.startBaseBackup(new BaseBackupRequest("nomanifest", true, false, null, true))) {
            ReceivedBackup r = ReplicationFixtures.receive(b, work.resolve("parts"));
            assertThat(r.names()).containsExactlyInAnyOrder("base.tar", tablespace.oid() + ".tar");
            var entries = TarArchive.read(r.part("base.tar").file());
            assertThat(entries).anyMatch(e -> e.name().equals("tablespace_map") && e.isFile());
            // With a tablespace map the server sends no pg_tblspc links.
            assertThat(entries).noneMatch(e -> e.type() == '2');
        }
    }

    @Test
    void aStreamThatIsCutOffFailsInsteadOfEndingQuietly() throws Exception {
        try (ReplicationConnection c = open();
                BaseBackup b = c.startBaseBackup(new BaseBackupRequest("cut", true, false, "SHA256", false))) {
            Part first = b.next();
            InputStream in = first.stream();
            assertThat(in.readNBytes(512)).hasSize(512);
            PG.cluster().execute("postgres", "SELECT pg_terminate_backend(" + c.backendPid() + ")");
            Throwable failure = catchThrowable(() -> {
                byte[] buf = new byte[65536];
                for (Part p = first; p != null; p = b.next()) {
                    InputStream s = p.stream();
                    while (s.read(buf) >= 0) {
                        // keep reading until the failure shows
                    }
                }
                b.finish();
            });
            // Either the server's FATAL message arrives (an ArcaException naming it) or the socket just closes.
            assertThat(failure).isNotNull();
            if (failure instanceof ArcaException a) {
                assertThat(a.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                assertThat(a.getMessage()).contains("57P01");
            } else {
                assertThat(failure).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aRefusedBackupReportsTheServersErrorAndLeavesTheConnectionUsable() {
        try (ReplicationConnection c = open()) {
            assertThatThrownBy(() -> c.startBaseBackup(new BaseBackupRequest("bad", true, false, "NOPE", false)))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                        assertThat(e.getMessage()).contains("BASE_BACKUP failed").contains("NOPE")
                                .contains("sqlstate").doesNotContain("\n");
                        assertThat(e.hint()).isNotBlank();
                    });
            assertThat(c.identifySystem().timeline()).isEqualTo(new TimelineId(1));
        }
    }

    @Test
    void timelineHistoryReturnsTheFile() throws Exception {
        // A history file as a promotion writes it; TIMELINE_HISTORY only reads it from pg_wal.
        String history = "1\t0/3000000\tno recovery target specified\n";
        Path file = PG.cluster().dataDirectory().resolve("pg_wal/00000002.history");
        Files.writeString(file, history, StandardCharsets.UTF_8);
        try (ReplicationConnection c = open()) {
            assertThat(new String(c.timelineHistory(new TimelineId(2)), StandardCharsets.UTF_8)).isEqualTo(history);
            assertThatThrownBy(() -> c.timelineHistory(new TimelineId(7)))
                    .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILURE));
            assertThat(c.identifySystem()).isNotNull();
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void unixDomainSocket() {
        LocalCluster cluster = PG.cluster();
        ConnectionSettings viaSocket = new ConnectionSettings(cluster.socketDirectory().toString(), cluster.port(),
                "postgres", "postgres", null, Map.of());
        try (ReplicationConnection c = ReplicationConnection.open(viaSocket)) {
            assertThat(c.identifySystem().timeline()).isEqualTo(new TimelineId(1));
            assertThat(c.isEncrypted()).isFalse();
            assertThat(c.authentication()).isEqualTo("trust");
        }
    }

    @Test
    void requireTlsAgainstAServerWithoutTlsFails() {
        ConnectionSettings s = PG.settings("postgres");
        ConnectionSettings require = new ConnectionSettings(s.host(), s.port(), s.user(), s.database(), s.password(),
                Map.of("sslmode", "require"));
        assertThatThrownBy(() -> ReplicationConnection.open(require))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                    assertThat(e.getMessage()).contains("does not support SSL");
                });
    }

    @Test
    void refusedConnectionIsAConnectionError() throws Exception {
        int unused;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            unused = probe.getLocalPort();
        }
        ConnectionSettings s = new ConnectionSettings("127.0.0.1", unused, "postgres", "postgres", "x",
                Map.of("connect_timeout", "3"));
        assertThatThrownBy(() -> ReplicationConnection.open(s))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                    assertThat(e.getMessage()).contains("connection refused").contains("127.0.0.1:" + unused);
                });
    }

    @Test
    void closeIsIdempotentAndCommandsAfterCloseFail() {
        ReplicationConnection c = open();
        c.close();
        c.close();
        assertThatThrownBy(c::identifySystem).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingABackupInFlightAbandonsIt() throws Exception {
        ReplicationConnection c = open();
        BaseBackup b = c.startBaseBackup(new BaseBackupRequest("abandon", true, false, null, false));
        b.next().stream().readNBytes(100);
        b.close();
        assertThatThrownBy(b::next).isInstanceOf(IOException.class);
        c.close();
        // The server ends the backup on its side: a new one can start right away.
        try (ReplicationConnection again = open();
                BaseBackup b2 = again.startBaseBackup(new BaseBackupRequest("after", true, false, null, false))) {
            assertThat(b2.next()).isNotNull();
        }
        try (Connection jdbc = PG.connect("postgres"); Statement st = jdbc.createStatement()) {
            st.execute("SELECT 1");
        }
    }
}
