package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.testkit.pg.PostgresExtension;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TarReaderIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void readsRealBaseBackupTarsAsTarDoes(@TempDir Path dir) throws Exception {
        long oid = ManifestTestBackups.createTablespace(PG.cluster(), "tar_ts");
        String db = PG.createDatabase("tarread");
        PG.cluster().execute(db, "CREATE TABLE t TABLESPACE tar_ts AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 5000) g");
        ManifestTestBackups.Backup backup = ManifestTestBackups.basebackup(PG.cluster(), "CRC32C", "none");
        assertThat(backup.tablespaceTars()).containsOnlyKeys(oid);

        for (Path tar : List.of(backup.baseTar(), backup.tablespaceTars().get(oid))) {
            Path extracted = dir.resolve(tar.getFileName() + ".d");
            ManifestTestBackups.untar(tar, extracted);
            List<String> names = new ArrayList<>();
            int files = 0;
            try (TarReader r = new TarReader(Files.newInputStream(tar))) {
                for (TarEntry e = r.next(); e != null; e = r.next()) {
                    names.add(e.name());
                    Path onDisk = extracted.resolve(e.name());
                    switch (e.type()) {
                        case FILE -> {
                            files++;
                            assertThat(Files.size(onDisk)).as(e.name()).isEqualTo(e.size());
                            assertThat(sha256(r.content())).as(e.name()).isEqualTo(ManifestTestBackups.sha256(onDisk));
                            assertThat(e.mode()).isEqualTo(0600);
                        }
                        case DIRECTORY -> assertThat(Files.isDirectory(onDisk, LinkOption.NOFOLLOW_LINKS)).as(e.name()).isTrue();
                        case SYMLINK -> assertThat(Files.readSymbolicLink(onDisk).toString()).isEqualTo(e.linkTarget());
                    }
                }
            }
            assertThat(names).as("entries of %s", tar.getFileName()).containsExactlyElementsOf(ManifestTestBackups.tarList(tar));
            assertThat(files).isPositive();
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
