package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgPassTest {

    private static final PgPass FILE = PgPass.parse("""
            # comment line:with:colons:x:y
            db.example.com:5432:app:app:exact
            db.example.com:*:*:admin:any-port-any-db
            *:5433:*:*:wild-5433
            host\\:with\\:colons:5432:d:u:escaped-host
            localhost:5432:*:sock:via-socket
            short:line
            db.example.com:5432:app:app:second-match-ignored
            pw.example.com:5432:d:u:pass\\:with\\\\back\\\\slash
            """);

    @Test
    void exactLineMatches() {
        assertThat(FILE.lookup("db.example.com", 5432, "app", "app")).contains("exact");
    }

    @Test
    void wildcardsMatchAnything() {
        assertThat(FILE.lookup("db.example.com", 6000, "other", "admin")).contains("any-port-any-db");
        assertThat(FILE.lookup("anything", 5433, "x", "y")).contains("wild-5433");
    }

    @Test
    void noMatchIsEmpty() {
        assertThat(FILE.lookup("db.example.com", 5432, "app", "nobody")).isEmpty();
        assertThat(FILE.lookup("DB.EXAMPLE.COM", 5432, "app", "app")).isEmpty();
    }

    @Test
    void escapesAreUnderstood() {
        assertThat(FILE.lookup("host:with:colons", 5432, "d", "u")).contains("escaped-host");
        assertThat(FILE.lookup("pw.example.com", 5432, "d", "u")).contains("pass:with\\back\\slash");
    }

    @Test
    void firstMatchWinsAndShortLinesAreSkipped() {
        assertThat(FILE.entries()).hasSize(7);
        assertThat(FILE.lookup("db.example.com", 5432, "app", "app")).contains("exact");
    }

    @Test
    void socketDirectoryMatchesLocalhost() {
        assertThat(FILE.lookup("/var/run/postgresql", 5432, "x", "sock")).contains("via-socket");
    }

    @Test
    void fileReadableByOthersIsIgnoredAsLibpqDoes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pgpass");
        Files.writeString(file, "h:5432:d:u:secret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(PgPass.read(file).lookup("h", 5432, "d", "u")).contains("secret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(PgPass.read(file).lookup("h", 5432, "d", "u")).isEmpty();
        assertThat(PgPass.read(dir.resolve("missing")).entries()).isEmpty();
    }
}
