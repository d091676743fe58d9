package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.physical.TarTestFiles.Member;
import io.arca.testkit.pg.PostgresExtension;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ManifestCheckIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static long oid;
    private static ManifestTestBackups.Backup backup;
    private static ServerManifest manifest;
    private static String prefix;

    @BeforeAll
    static void backup() throws Exception {
        oid = ManifestTestBackups.createTablespace(PG.cluster(), "check_ts");
        String db = PG.createDatabase("check");
        PG.cluster().execute(db, "CREATE TABLE t TABLESPACE check_ts AS SELECT g FROM generate_series(1, 10000) g",
                "CREATE TABLE u AS SELECT g FROM generate_series(1, 10000) g");
        backup = ManifestTestBackups.basebackup(PG.cluster(), "CRC32C", "none");
        manifest = backup.manifest();
        prefix = ManifestCheck.tablespacePrefix(oid);
    }

    @Test
    void aRealBackupPassesAsPgVerifybackupSays(@TempDir Path dir) throws Exception {
        ManifestCheck.Result result = check(backup.baseTar(), backup.tablespaceTars().get(oid));
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(pgVerifybackup(dir, backup.baseTar(), backup.tablespaceTars().get(oid))).isEmpty();
    }

    @Test
    void aFlippedByteIsAChecksumMismatchOfThatFile(@TempDir Path dir) throws Exception {
        String victim = largestFile(backup.baseTar());
        Path base = copy(backup.baseTar(), dir.resolve("base.tar"));
        TarTestFiles.flipByte(base, victim, 4000);

        ManifestCheck.Result result = check(base, backup.tablespaceTars().get(oid));
        ServerManifest.File f = manifest.file(victim);
        assertThat(result.problems()).singleElement().asString()
                .startsWith(victim + ": checksum mismatch (manifest crc32c " + f.checksum() + ", found ")
                .matches(".*, found [0-9a-f]{8}\\)");
        assertThat(result.ok()).isFalse();
        assertThat(pgVerifybackup(dir.resolve("v"), base, backup.tablespaceTars().get(oid)))
                .containsExactly(victim + ": checksum mismatch");
    }

    @Test
    void aRemovedFileIsMissingAndAnExtraFileIsNotInTheManifest(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.tar");
        TarTestFiles.rewrite(backup.baseTar(), base, Set.of("base/1/1259"), Member.file("base/1/99999", "stray"));

        ManifestCheck.Result result = check(base, backup.tablespaceTars().get(oid));
        assertThat(result.problems()).containsExactly("base/1/99999: not in the manifest", "base/1/1259: missing");
        assertThat(pgVerifybackup(dir.resolve("v"), base, backup.tablespaceTars().get(oid)))
                .containsExactlyInAnyOrder("base/1/99999: not in the manifest", "base/1/1259: missing");
    }

    @Test
    void aSizeDifferenceIsReportedWithoutAChecksum(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.tar");
        TarTestFiles.rewrite(backup.baseTar(), base, Set.of("PG_VERSION"), Member.file("PG_VERSION", "15.1\n"));
        assertThat(check(base, backup.tablespaceTars().get(oid)).problems())
                .containsExactly("PG_VERSION: size 5 in the backup, 3 in the manifest");
    }

    @Test
    void tablespaceTarsAreCheckedWithTheirPrefix(@TempDir Path dir) throws Exception {
        Path ts = copy(backup.tablespaceTars().get(oid), dir.resolve(oid + ".tar"));
        String victim = largestFile(ts);
        assertThat(victim).startsWith("PG_15_");
        TarTestFiles.flipByte(ts, victim, 100);
        assertThat(check(backup.baseTar(), ts).problems()).singleElement().asString()
                .startsWith(prefix + victim + ": checksum mismatch (manifest crc32c ");

        // without the prefix its files are strangers, and the tablespace's files are missing
        ManifestCheck wrong = new ManifestCheck(manifest);
        try (InputStream in = Files.newInputStream(backup.baseTar())) {
            wrong.check("", in);
        }
        try (InputStream in = Files.newInputStream(backup.tablespaceTars().get(oid))) {
            wrong.check("", in);
        }
        assertThat(wrong.finish().problems()).contains(victim + ": not in the manifest", prefix + victim + ": missing");
    }

    @Test
    void pgWalAndTheOtherIgnoredPathsAreNotChecked(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.tar");
        // GNU tar appends in its own format: read as well
        TarTestFiles.rewrite(backup.baseTar(), base, Set.of());
        Path extra = dir.resolve("extra");
        Files.createDirectories(extra.resolve("pg_wal"));
        Files.writeString(extra.resolve("pg_wal/000000010000000000000001"), "wal");
        Files.writeString(extra.resolve("standby.signal"), "");
        Files.writeString(extra.resolve("backup_manifest"), "{}");
        ManifestTestBackups.run(Map.of(), "tar", "-rf", base.toString(), "-C", extra.toString(),
                "pg_wal/000000010000000000000001", "standby.signal", "backup_manifest");
        assertThat(ManifestTestBackups.tarList(base)).contains("standby.signal", "pg_wal/000000010000000000000001");
        assertThat(check(base, backup.tablespaceTars().get(oid)).problems()).isEmpty();
    }

    private static ManifestCheck.Result check(Path base, Path tablespaceTar) throws Exception {
        ManifestCheck check = new ManifestCheck(manifest);
        try (InputStream in = Files.newInputStream(base)) {
            check.check("", in);
        }
        try (InputStream in = Files.newInputStream(tablespaceTar)) {
            check.check(prefix, in);
        }
        return check.finish();
    }

    /**
     * pg_verifybackup 15 (plain format only) on the tars extracted as pg_basebackup -Fp would
     * lay them out; its complaints in ManifestCheck's words.
     */
    private static List<String> pgVerifybackup(Path dir, Path base, Path tablespaceTar) throws Exception {
        Path plain = dir.resolve("plain");
        ManifestTestBackups.untar(base, plain);
        ManifestTestBackups.untar(tablespaceTar, plain.resolve(prefix));
        Files.copy(backup.manifestFile(), plain.resolve("backup_manifest"));
        ManifestTestBackups.Result r = ManifestTestBackups.exec(Map.of(),
                ManifestTestBackups.BIN.resolve("pg_verifybackup").toString(), "-n", plain.toString());
        List<String> problems = new ArrayList<>();
        Matcher m = Pattern.compile("error: (?:checksum mismatch for file \"(.+)\""
                + "|\"(.+)\" is present in the manifest but not on disk"
                + "|\"(.+)\" is present on disk but not in the manifest)").matcher(r.output());
        while (m.find()) {
            problems.add(m.group(1) != null ? m.group(1) + ": checksum mismatch"
                    : m.group(2) != null ? m.group(2) + ": missing" : m.group(3) + ": not in the manifest");
        }
        assertThat(r.exit() == 0).as("pg_verifybackup said:\n%s", r.output()).isEqualTo(problems.isEmpty());
        if (problems.isEmpty()) {
            assertThat(r.output()).contains("backup successfully verified");
        }
        return problems;
    }

    /** The name of the largest regular file in a tar. */
    private static String largestFile(Path tar) throws Exception {
        String best = null;
        long size = -1;
        try (TarReader r = new TarReader(Files.newInputStream(tar))) {
            for (TarEntry e = r.next(); e != null; e = r.next()) {
                if (e.isFile() && e.size() > size) {
                    best = e.name();
                    size = e.size();
                }
            }
        }
        return best;
    }

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        return Files.copy(from, to);
    }
}
