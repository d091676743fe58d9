package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ClusterOptions;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.LocalCluster;
import io.arca.testkit.pg.PostgresExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS negotiation and certificate checks against a server with {@code ssl = on}. */
class ReplicationTlsIT {

    // Before the extension: the server's settings name these files.
    private static final Path CERTS = certificates();

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension(ClusterOptions.defaults()
            .withMajor(PostgresExtension.DEFAULT_MAJOR).withFastAndUnsafe(true)
            .withSetting("ssl", "on")
            .withSetting("ssl_cert_file", CERTS.resolve("server.crt").toString())
            .withSetting("ssl_key_file", CERTS.resolve("server.key").toString()));

    @TempDir
    Path work;

    @AfterAll
    static void removeCertificates() throws IOException {
        try (Stream<Path> s = Files.walk(CERTS)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path certificates() {
        try {
            Path dir = Files.createTempDirectory("arca-tls-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            ReplicationFixtures.expectSuccess(List.of("openssl", "req", "-new", "-x509", "-days", "1", "-nodes",
                    "-subj", "/CN=localhost", "-keyout", dir.resolve("server.key").toString(),
                    "-out", dir.resolve("server.crt").toString()));
            ReplicationFixtures.expectSuccess(List.of("openssl", "req", "-new", "-x509", "-days", "1", "-nodes",
                    "-subj", "/CN=localhost", "-keyout", dir.resolve("other.key").toString(),
                    "-out", dir.resolve("other.crt").toString()));
            Files.setPosixFilePermissions(dir.resolve("server.crt"), PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
            if ("root".equals(System.getProperty("user.name"))) {
                ReplicationFixtures.expectSuccess(List.of("chown", "postgres:postgres", dir.resolve("server.key").toString()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ConnectionSettings settings(String host, String... parameters) {
        LocalCluster c = PG.cluster();
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            p.put(parameters[i], parameters[i + 1]);
        }
        return new ConnectionSettings(host, c.port(), c.superuser(), "postgres", c.password(), p);
    }

    private static String sslInStats(ReplicationConnection c) throws Exception {
        return ReplicationFixtures.queryOne(PG.cluster(), "SELECT ssl FROM pg_stat_ssl WHERE pid = " + c.backendPid());
    }

    @Test
    void requireEncryptsAndStreamsABaseBackup() throws Exception {
        try (ReplicationConnection c = ReplicationConnection.open(settings("127.0.0.1", "sslmode", "require"))) {
            assertThat(c.isEncrypted()).isTrue();
            // Over TLS the server offers SCRAM with channel binding, and the client takes it.
            assertThat(c.authentication()).isEqualTo("SCRAM-SHA-256-PLUS");
            assertThat(sslInStats(c)).isEqualTo("t");
            try (BaseBackup b = c.startBaseBackup(new BaseBackupRequest("tls", true, false, "CRC32C", false))) {
                ReplicationFixtures.ReceivedBackup r = ReplicationFixtures.receive(b, work);
                assertThat(r.names()).containsExactly("base.tar", "backup_manifest");
                assertThat(TarArchive.read(r.part("base.tar").file())).anyMatch(e -> e.name().equals("PG_VERSION"));
                assertThat(ReplicationFixtures.manifestFiles(r.part("backup_manifest").file())).containsKey("PG_VERSION");
            }
        }
    }

    @Test
    void preferIsTheDefaultAndEncrypts() throws Exception {
        try (ReplicationConnection c = ReplicationConnection.open(settings("127.0.0.1"))) {
            assertThat(c.isEncrypted()).isTrue();
            assertThat(sslInStats(c)).isEqualTo("t");
        }
    }

    @Test
    void disableDoesNotEncrypt() throws Exception {
        try (ReplicationConnection c = ReplicationConnection.open(settings("127.0.0.1", "sslmode", "disable"))) {
            assertThat(c.isEncrypted()).isFalse();
            assertThat(c.authentication()).isEqualTo("SCRAM-SHA-256");
            assertThat(sslInStats(c)).isEqualTo("f");
        }
    }

    @Test
    void verifyFullAcceptsTheRightCaAndHostName() throws Exception {
        try (ReplicationConnection c = ReplicationConnection.open(settings("localhost", "sslmode", "verify-full",
                "sslrootcert", CERTS.resolve("server.crt").toString()))) {
            assertThat(c.isEncrypted()).isTrue();
            assertThat(c.identifySystem()).isNotNull();
        }
    }

    @Test
    void verifyCaDoesNotCheckTheHostName() {
        try (ReplicationConnection c = ReplicationConnection.open(settings("127.0.0.1", "sslmode", "verify-ca",
                "sslrootcert", CERTS.resolve("server.crt").toString()))) {
            assertThat(c.isEncrypted()).isTrue();
        }
    }

    @Test
    void verifyFullRejectsAnotherCa() {
        assertConnectionError(settings("localhost", "sslmode", "verify-full",
                "sslrootcert", CERTS.resolve("other.crt").toString()));
        assertConnectionError(settings("localhost", "sslmode", "verify-ca",
                "sslrootcert", CERTS.resolve("other.crt").toString()));
    }

    @Test
    void verifyFullRejectsACertificateForAnotherHost() {
        // The certificate names localhost, not 127.0.0.1.
        assertConnectionError(settings("127.0.0.1", "sslmode", "verify-full",
                "sslrootcert", CERTS.resolve("server.crt").toString()));
    }

    @Test
    void aMissingRootCertificateIsAUsageError() {
        assertThatThrownBy(() -> ReplicationConnection.open(settings("localhost", "sslmode", "verify-full",
                "sslrootcert", CERTS.resolve("missing.crt").toString())))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).contains("missing.crt");
                });
    }

    private static void assertConnectionError(ConnectionSettings s) {
        assertThatThrownBy(() -> ReplicationConnection.open(s))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PG_CONNECTION);
                    assertThat(e.getMessage()).contains("TLS failed");
                    assertThat(e.hint()).contains("sslrootcert");
                });
    }
}
