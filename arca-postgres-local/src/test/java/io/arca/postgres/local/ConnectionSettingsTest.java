package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionSettingsTest {

    @TempDir
    Path home;

    /** An environment that points the password file at an empty temp dir, so ~/.pgpass cannot leak in. */
    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("USER", "osuser");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void parsesAFullUrl() {
        ConnectionSettings s = ConnectionSettings.parse(
                "postgresql://app:s3cret@db.example.com:6543/sales?sslmode=require&application_name=x", env());
        assertThat(s).isEqualTo(new ConnectionSettings("db.example.com", 6543, "app", "sales", "s3cret",
                Map.of("sslmode", "require", "application_name", "x")));
    }

    @Test
    void postgresSchemeAndDefaults() {
        ConnectionSettings s = ConnectionSettings.parse("postgres://app@db", env());
        assertThat(s.host()).isEqualTo("db");
        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.database()).isEqualTo("app");
        assertThat(s.password()).isNull();
        assertThat(s.parameters()).isEmpty();
    }

    @Test
    void percentDecodesEveryPart() {
        ConnectionSettings s = ConnectionSettings.parse(
                "postgresql://us%40er:p%40ss%3Aw%2Fo%25rd%20%E2%98%83@h/my%20db%C3%BC?sslrootcert=%2Ftmp%2Fca%20x.pem", env());
        assertThat(s.user()).isEqualTo("us@er");
        assertThat(s.password()).isEqualTo("p@ss:w/o%rd ☃");
        assertThat(s.database()).isEqualTo("my dbü");
        assertThat(s.parameters()).containsEntry("sslrootcert", "/tmp/ca x.pem");
    }

    @Test
    void ipv6HostsAndQueryOverrides() {
        ConnectionSettings s = ConnectionSettings.parse("postgresql://[::1]:5433/d", env());
        assertThat(s.host()).isEqualTo("::1");
        assertThat(s.port()).isEqualTo(5433);
        assertThat(s.describe()).isEqualTo("postgresql://osuser@[::1]:5433/d");
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/d");

        ConnectionSettings q = ConnectionSettings.parse(
                "postgresql:///?host=/var/run/postgresql&port=5439&user=u&dbname=x&password=pw", env());
        assertThat(q).isEqualTo(new ConnectionSettings("/var/run/postgresql", 5439, "u", "x", "pw", Map.of()));
    }

    @Test
    void missingPartsComeFromTheEnvironment() {
        ConnectionSettings s = ConnectionSettings.parse("postgresql://", env("PGHOST", "envhost", "PGPORT", "7000",
                "PGUSER", "envuser", "PGDATABASE", "envdb", "PGSSLMODE", "verify-full"));
        assertThat(s).isEqualTo(new ConnectionSettings("envhost", 7000, "envuser", "envdb", null,
                Map.of("sslmode", "verify-full")));
        assertThat(ConnectionSettings.parse(null, env()))
                .isEqualTo(new ConnectionSettings("localhost", 5432, "osuser", "osuser", null, Map.of()));
        assertThat(ConnectionSettings.parse("postgresql://u@h/d", env("PGHOST", "other", "PGUSER", "x")).host())
                .isEqualTo("h");
    }

    @Test
    void passwordPrecedenceUrlThenArcaThenPgpasswordThenPgpass() throws Exception {
        Path pgpass = home.resolve("custom.pgpass");
        Files.writeString(pgpass, "h:5432:d:u:from-file\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        String url = "postgresql://u@h/d";
        Map<String, String> all = env("ARCA_DB_PASSWORD", "from-arca", "PGPASSWORD", "from-pg",
                "PGPASSFILE", pgpass.toString());
        assertThat(ConnectionSettings.parse("postgresql://u:from-url@h/d", all).password()).isEqualTo("from-url");
        assertThat(ConnectionSettings.parse(url, all).password()).isEqualTo("from-arca");
        all.remove("ARCA_DB_PASSWORD");
        assertThat(ConnectionSettings.parse(url, all).password()).isEqualTo("from-pg");
        all.remove("PGPASSWORD");
        assertThat(ConnectionSettings.parse(url, all).password()).isEqualTo("from-file");
        assertThat(ConnectionSettings.parse("postgresql://u@h/other", all).password()).isNull();
    }

    @Test
    void defaultPgpassIsInHome() throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "*:*:*:u:home-file\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        assertThat(ConnectionSettings.parse("postgresql://u@h/d", env()).password()).isEqualTo("home-file");
    }

    @Test
    void conninfoQuotesValuesAndNeverHoldsThePassword() {
        ConnectionSettings s = new ConnectionSettings("h", 5432, "o'brien", "d\\b", "secret",
                Map.of("sslmode", "require"));
        assertThat(s.libpqConninfo())
                .isEqualTo("host='h' port='5432' user='o\\'brien' dbname='d\\\\b' sslmode='require'")
                .doesNotContain("secret");
    }

    @Test
    void libpqEnvironmentCarriesThePassword() {
        ConnectionSettings s = new ConnectionSettings("h", 5432, "u", "d", "secret", Map.of());
        assertThat(s.libpqEnvironment()).containsExactlyInAnyOrderEntriesOf(
                Map.of("PGPASSWORD", "secret", "PGAPPNAME", "arca", "PGCONNECT_TIMEOUT", "10"));
        ConnectionSettings noPassword = new ConnectionSettings("h", 5432, "u", "d", null,
                Map.of("connect_timeout", "3"));
        assertThat(noPassword.libpqEnvironment()).containsExactlyInAnyOrderEntriesOf(Map.of("PGAPPNAME", "arca"));
        assertThat(noPassword.libpqConninfo()).endsWith("connect_timeout='3'");
    }

    @Test
    void jdbcUrlAndProperties() {
        ConnectionSettings s = ConnectionSettings.parse(
                "postgresql://u:pw@h:5555/my%20db?sslmode=verify-full&sslrootcert=/ca.pem&keepalives=1", env());
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5555/my%20db");
        Properties p = s.jdbcProperties();
        assertThat(p).containsEntry("user", "u").containsEntry("password", "pw")
                .containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/ca.pem")
                .containsEntry("ApplicationName", "arca").containsEntry("connectTimeout", "10")
                .doesNotContainKey("keepalives");
        assertThat(new ConnectionSettings("h", 1, "u", "d", null, Map.of()).jdbcProperties())
                .doesNotContainKey("password");
    }

    @Test
    void socketHostsCannotUseJdbc() {
        ConnectionSettings s = new ConnectionSettings("/var/run/postgresql", 5432, "u", "d", null, Map.of());
        assertThatThrownBy(s::jdbcUrl).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
    }

    @Test
    void describeAndToStringHideThePassword() {
        ConnectionSettings s = ConnectionSettings.parse("postgresql://app:topsecret@db:5432/sales", env());
        assertThat(s.describe()).isEqualTo("postgresql://app@db:5432/sales");
        assertThat(s).hasToString("postgresql://app@db:5432/sales");
        assertThat(s.withDatabase("other").describe()).isEqualTo("postgresql://app@db:5432/other");
        assertThat(s.withDatabase("other").password()).isEqualTo("topsecret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://app@db/x", "db.example.com:5432/app", "postgresql://app:pw@db:notaport/x",
        "postgresql://app@db:70000/x", "postgresql://app@h1,h2/x", "postgresql://app@db/x%zz",
        "postgresql://app@[::1/x", "postgresql://app@db/x?sslmode"})
    void badUrlsAreUsageErrorsWithTheExpectedForm(String url) {
        assertThatThrownBy(() -> ConnectionSettings.parse(url, env()))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.hint()).contains("postgresql://USER@HOST:PORT/DATABASE");
                    assertThat(e.getMessage()).doesNotContain(":pw@");
                });
    }

    @Test
    void errorMessagesRedactPasswords() {
        assertThatThrownBy(() -> ConnectionSettings.parse("postgresql://app:hunter2@db:bad/x", env()))
                .hasMessage("invalid port 'bad' in PostgreSQL URL 'postgresql://app:***@db:bad/x'");
        assertThat(ConnectionSettings.redact("postgresql://h/x?user=u&password=hunter2&sslmode=require"))
                .isEqualTo("postgresql://h/x?user=u&password=***&sslmode=require");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sslmode=bogus", "sslmode=REQUIRE", "foo=bar", "connect_timeout=ten",
        "connect_timeout=-1", "target_session_attrs=master", "replication=true", "service=prod", "keepalives=yes"})
    void unknownParametersAndInvalidValuesAreUsageErrorsBeforeConnecting(String parameter) {
        String url = "postgresql://app:pw@db/x?application_name=ok&" + parameter;
        assertThatThrownBy(() -> ConnectionSettings.parse(url, env()))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    String key = parameter.substring(0, parameter.indexOf('='));
                    assertThat(e.getMessage()).contains("'" + (key.equals("foo") || key.equals("replication")
                            || key.equals("service") ? key : parameter.substring(key.length() + 1)) + "'")
                            .contains("in PostgreSQL URL 'postgresql://app:***@db/x?").doesNotContain(":pw@");
                    assertThat(e.hint()).isNotBlank();
                });
    }

    @Test
    void theHintListsWhatIsAccepted() {
        assertThatThrownBy(() -> ConnectionSettings.parse("postgresql://db/x?foo=bar", env()))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("unknown connection parameter 'foo' in PostgreSQL URL"
                            + " 'postgresql://db/x?foo=bar'");
                    assertThat(e.hint()).startsWith("use the parameters libpq knows: ")
                            .contains("sslmode", "connect_timeout", "application_name", "sslrootcert");
                });
        assertThatThrownBy(() -> ConnectionSettings.parse("postgresql://db/x?sslmode=bogus", env()))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.hint())
                        .isEqualTo("use sslmode=disable, allow, prefer, require, verify-ca or verify-full"));
        assertThatThrownBy(() -> ConnectionSettings.parse("postgresql://db/x", env("PGSSLMODE", "on")))
                .hasMessage("invalid sslmode 'on' in PGSSLMODE");
    }

    @Test
    void everyLibpqParameterArcaAcceptsIsPassedToLibpqPrograms() {
        ConnectionSettings s = ConnectionSettings.parse("postgresql://db/x?sslmode=verify-full&connect_timeout=5"
                + "&target_session_attrs=read-write&keepalives_idle=30&options=-c%20statement_timeout%3D0", env());
        assertThat(s.libpqConninfo()).contains("sslmode='verify-full'", "connect_timeout='5'",
                "target_session_attrs='read-write'", "keepalives_idle='30'", "options='-c statement_timeout=0'");
        assertThat(s.connectTimeoutSeconds()).isEqualTo(5);
    }

    @Test
    void passfileInTheUrlIsWherePasswordsAreLookedUp() throws Exception {
        Path pass = home.resolve("other.pgpass");
        Files.writeString(pass, "db:5432:x:app:frompassfile\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        assertThat(ConnectionSettings.parse("postgresql://app@db/x?passfile=" + pass, env()).password())
                .isEqualTo("frompassfile");
    }
}
