package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.physical.TarTestFiles.Member;
import io.arca.testkit.pg.PostgresExtension;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryWriterIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static long oid;
    private static String prefix;
    private static String db;
    private static ManifestTestBackups.Backup backup;

    @BeforeAll
    static void backup() throws Exception {
        oid = ManifestTestBackups.createTablespace(PG.cluster(), "writer_ts");
        prefix = ManifestCheck.tablespacePrefix(oid);
        db = PG.createDatabase("writer");
        PG.cluster().execute(db,
                "CREATE TABLE in_ts (id int PRIMARY KEY, v text) TABLESPACE writer_ts",
                "INSERT INTO in_ts SELECT g, 'ts-' || g FROM generate_series(1, 5000) g",
                "CREATE TABLE plain (id int PRIMARY KEY, v text)",
                "INSERT INTO plain SELECT g, 'plain-' || g FROM generate_series(1, 5000) g");
        backup = ManifestTestBackups.basebackup(PG.cluster(), "CRC32C", "none");
    }

    @Test
    void writesWhatTarExtractsAndPointsTheTablespaceMapAtTheNewLocation(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        Path ts = dir.resolve("elsewhere/ts");
        DataDirectoryWriter.Result result = restore(pgdata, ts, backup.baseTar(), false);
        assertThat(result.check().problems()).isEmpty();
        long files = TarTestFiles.fileNames(backup.baseTar()).size()
                + TarTestFiles.fileNames(backup.tablespaceTars().get(oid)).size();
        assertThat(result.filesWritten()).isEqualTo(files);
        assertThat(result.filesKept()).isZero();
        assertThat(result.filesRemoved()).isZero();
        assertThat(result.bytesWritten()).isEqualTo(backup.manifest().totalSize());

        Path expected = dir.resolve("expected");
        ManifestTestBackups.untar(backup.baseTar(), expected.resolve("pgdata"));
        ManifestTestBackups.untar(backup.tablespaceTars().get(oid), expected.resolve("ts"));
        Map<String, String> want = ManifestTestBackups.tree(expected.resolve("pgdata"));
        Map<String, String> got = ManifestTestBackups.tree(pgdata);
        assertThat(got.remove("tablespace_map")).isNotNull();
        assertThat(want.remove("tablespace_map")).isNotNull();
        assertThat(got).isEqualTo(want);
        assertThat(ManifestTestBackups.tree(ts)).isEqualTo(ManifestTestBackups.tree(expected.resolve("ts")))
                .isNotEmpty();

        assertThat(Files.readString(pgdata.resolve("tablespace_map"))).isEqualTo(oid + " " + ts + "\n");
        assertThat(Files.readString(expected.resolve("pgdata/tablespace_map")))
                .isEqualTo(oid + " " + PG.cluster().directory().resolve("ts-writer_ts") + "\n");

        assertThat(Files.getPosixFilePermissions(pgdata)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("base"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("PG_VERSION"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(ts)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aRestoredDataDirectoryStartsAndHoldsTheRowsWrittenBeforeTheBackup() throws Exception {
        PG.cluster().execute(db, "INSERT INTO plain VALUES (100001, 'before the backup')",
                "INSERT INTO in_ts VALUES (100001, 'in the tablespace before the backup')");
        ManifestTestBackups.Backup withWal = ManifestTestBackups.basebackup(PG.cluster(), "SHA256", "fetch");
        PG.cluster().execute(db, "INSERT INTO plain VALUES (100002, 'after the backup')");
        Path root = PG.cluster().directory().resolve("restore-start");
        Path pgdata = root.resolve("pgdata");
        Path ts = root.resolve("ts");
        DataDirectoryWriter writer = new DataDirectoryWriter(pgdata, Map.of(oid, ts), withWal.manifest(), false);
        try (InputStream in = Files.newInputStream(withWal.baseTar())) {
            writer.write("", in);
        }
        try (InputStream in = Files.newInputStream(withWal.tablespaceTars().get(oid))) {
            writer.write(prefix, in);
        }
        DataDirectoryWriter.Result result = writer.finish();
        writer.syncAll();
        assertThat(result.check().problems()).isEmpty();
        assertThat(pgdata.resolve("pg_wal")).isDirectoryContaining(p -> p.getFileName().toString().matches("[0-9A-F]{24}"));

        ManifestTestBackups.chownTreeToPostgres(root);
        int port = ManifestTestBackups.freePort();
        Path pgCtl = ManifestTestBackups.BIN.resolve("pg_ctl");
        try {
            ManifestTestBackups.run(Map.of(), "runuser", "-u", "postgres", "--", pgCtl.toString(), "-D", pgdata.toString(),
                    "-l", root.resolve("server.log").toString(), "-w", "-t", "120", "-o",
                    "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start");
            assertThat(psql(port, "SELECT v FROM plain WHERE id = 100001")).isEqualTo("before the backup");
            assertThat(psql(port, "SELECT v FROM in_ts WHERE id = 100001")).isEqualTo("in the tablespace before the backup");
            assertThat(psql(port, "SELECT count(*) FROM plain WHERE id = 100002")).isEqualTo("0");
            assertThat(psql(port, "SELECT count(*) FROM in_ts")).isEqualTo("5001");
            // PostgreSQL made the tablespace link from the rewritten tablespace_map
            assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/" + oid))).isEqualTo(ts);
        } catch (AssertionError | RuntimeException e) {
            Path log = root.resolve("server.log");
            if (Files.exists(log)) {
                e.addSuppressed(new AssertionError("server log:\n" + Files.readString(log)));
            }
            throw e;
        } finally {
            if (Files.exists(pgdata.resolve("postmaster.pid"))) {
                ManifestTestBackups.exec(Map.of(), "runuser", "-u", "postgres", "--", pgCtl.toString(), "-D",
                        pgdata.toString(), "-m", "immediate", "-w", "stop");
            }
            ManifestTestBackups.run(Map.of(), "rm", "-rf", root.toString());
        }
    }

    @Test
    void deltaKeepsUnchangedFilesRewritesChangedOnesAndRemovesStrays(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        Path ts = dir.resolve("ts");
        restore(pgdata, ts, backup.baseTar(), false);
        Map<String, String> pristine = ManifestTestBackups.tree(pgdata);
        Map<String, String> pristineTs = ManifestTestBackups.tree(ts);
        long files = TarTestFiles.fileNames(backup.baseTar()).size()
                + TarTestFiles.fileNames(backup.tablespaceTars().get(oid)).size();

        // same size, one byte different: only the checksum tells
        Path modified = pgdata.resolve("base/1/1259");
        try (RandomAccessFile f = new RandomAccessFile(modified.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x01);
        }
        Files.delete(pgdata.resolve("base/1/1249"));
        Files.writeString(pgdata.resolve("base/1/999999"), "stray");
        Files.writeString(pgdata.resolve("pg_wal/000000010000000000000099"), "old wal");
        Files.createDirectories(pgdata.resolve("stray_dir/sub"));
        Files.writeString(pgdata.resolve("stray_dir/sub/file"), "stray");
        String versionDir = pristineTs.keySet().stream().filter(p -> !p.contains("/")).findFirst().orElseThrow();
        Files.writeString(ts.resolve(versionDir).resolve("stray"), "stray");
        Files.writeString(ts.resolve("other_cluster"), "not ours");
        Files.writeString(pgdata.resolve("base/1/1255"), "replaced by a file of another size");

        DataDirectoryWriter.Result result = restore(pgdata, ts, backup.baseTar(), true);
        assertThat(result.check().problems()).isEmpty();
        // base/1/1259 (changed), base/1/1249 (deleted), base/1/1255 (other size), and the two
        // files the manifest cannot vouch for or that were changed on purpose:
        // postgresql.auto.conf (ignored like pg_verifybackup does) and the rewritten tablespace_map
        assertThat(result.filesWritten()).isEqualTo(5);
        assertThat(result.filesKept()).isEqualTo(files - 5);
        // base/1/999999, the WAL file, stray_dir with sub and file, the stray file in the tablespace
        assertThat(result.filesRemoved()).isEqualTo(6);
        assertThat(result.bytesWritten()).isLessThan(backup.manifest().totalSize() / 10);

        assertThat(ManifestTestBackups.tree(pgdata)).isEqualTo(pristine);
        Map<String, String> tsNow = ManifestTestBackups.tree(ts);
        assertThat(tsNow.remove("other_cluster")).startsWith("file 8 ");
        assertThat(tsNow).isEqualTo(pristineTs);

        // a second delta run changes nothing but the two files always rewritten
        DataDirectoryWriter.Result again = restore(pgdata, ts, backup.baseTar(), true);
        assertThat(again.filesWritten()).isEqualTo(2);
        assertThat(again.filesRemoved()).isZero();
        assertThat(ManifestTestBackups.tree(pgdata)).isEqualTo(pristine);
    }

    @Test
    void deltaStillChecksTheTarContentOfKeptFiles(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        Path ts = dir.resolve("ts");
        restore(pgdata, ts, backup.baseTar(), false);
        Path damaged = Files.copy(backup.baseTar(), dir.resolve("base.tar"));
        TarTestFiles.flipByte(damaged, "base/1/1259", 200);

        DataDirectoryWriter.Result result = restore(pgdata, ts, damaged, true);
        assertThat(result.check().ok()).isFalse();
        assertThat(result.check().problems()).singleElement().asString()
                .startsWith("base/1/1259: checksum mismatch (manifest crc32c " + backup.manifest().file("base/1/1259").checksum());
    }

    @Test
    void aDamagedTarIsReportedWhenWritingIntoAnEmptyDirectory(@TempDir Path dir) throws Exception {
        Path damaged = Files.copy(backup.baseTar(), dir.resolve("base.tar"));
        TarTestFiles.flipByte(damaged, "base/1/1259", 200);
        DataDirectoryWriter.Result result = restore(dir.resolve("pgdata"), dir.resolve("ts"), damaged, false);
        assertThat(result.check().problems()).singleElement().asString().startsWith("base/1/1259: checksum mismatch");

        Path truncated = dir.resolve("truncated.tar");
        long[] at = TarTestFiles.locate(backup.baseTar(), "base/1/1259");
        try (InputStream in = Files.newInputStream(backup.baseTar())) {
            Files.write(truncated, in.readNBytes((int) (at[0] + 1000)));
        }
        assertThatThrownBy(() -> restore(dir.resolve("pgdata2"), dir.resolve("ts2"), truncated, false))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).contains("truncated").contains("base/1/1259");
                });
    }

    // ---- without a server ---------------------------------------------------------------------

    private static final String SMALL_MANIFEST = ServerManifestTest.withChecksum("""
            { "PostgreSQL-Backup-Manifest-Version": 1,
            "Files": [
            { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2025-01-02 03:04:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "8a744722" }
            ],
            "WAL-Ranges": [
            { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000120" }
            ],
            """);

    @Test
    void entriesThatWouldLeaveTheTargetAreRefused(@TempDir Path dir) throws Exception {
        Path outside = dir.resolve("outside");
        for (byte[] tar : List.of(
                TarTestFiles.ustar(Member.file("../outside", "x")),
                TarTestFiles.ustar(Member.file("base/../../outside", "x")),
                TarTestFiles.ustar(Member.file(outside.toString(), "x")),
                TarTestFiles.ustar(Member.symlink("link", dir.toString()), Member.file("link/outside", "x")))) {
            Path pgdata = dir.resolve("pgdata");
            DataDirectoryWriter w = new DataDirectoryWriter(pgdata, Map.of(), small(), false);
            assertThatThrownBy(() -> w.write("", new ByteArrayInputStream(tar)))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                        assertThat(e.getMessage()).contains("would be written outside the target directory");
                    });
            assertThat(outside).doesNotExist();
            ManifestTestBackups.run(Map.of(), "rm", "-rf", pgdata.toString());
        }
    }

    @Test
    void targetsAreCheckedBeforeWriting(@TempDir Path dir) throws Exception {
        Path pgdata = Files.createDirectories(dir.resolve("pgdata"));
        Files.writeString(pgdata.resolve("somefile"), "x");
        assertThatThrownBy(() -> new DataDirectoryWriter(pgdata, Map.of(), small(), false))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
                    assertThat(e.hint()).contains("--delta");
                });
        // delta over something that is not a data directory
        assertThatThrownBy(() -> new DataDirectoryWriter(pgdata, Map.of(), small(), true))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
                    assertThat(e.getMessage()).contains("holds no PG_VERSION");
                });
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        Files.writeString(pgdata.resolve("postmaster.pid"), "12345\n");
        assertThatThrownBy(() -> new DataDirectoryWriter(pgdata, Map.of(), small(), true))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                    assertThat(e.getMessage()).contains("postmaster.pid");
                });
        Files.delete(pgdata.resolve("postmaster.pid"));
        assertThatThrownBy(() -> new DataDirectoryWriter(pgdata, Map.of(5L, pgdata.resolve("ts")), small(), true))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
        Path ts = Files.createDirectories(dir.resolve("ts"));
        Files.writeString(ts.resolve("x"), "x");
        assertThatThrownBy(() -> new DataDirectoryWriter(dir.resolve("empty"), Map.of(5L, ts), small(), false))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY));
        DataDirectoryWriter w = new DataDirectoryWriter(dir.resolve("empty"), Map.of(), small(), false);
        assertThatThrownBy(() -> w.write("pg_tblspc/7/", new ByteArrayInputStream(TarTestFiles.ustar())))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage()).contains("tablespace 7"));
    }

    @Test
    void groupAccessModesAreKeptAndOthersDropped(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        DataDirectoryWriter w = new DataDirectoryWriter(pgdata, Map.of(), small(), false);
        w.write("", new ByteArrayInputStream(TarTestFiles.ustar(
                Member.file("PG_VERSION", "15\n").withMode(0640),
                Member.directory("base").withMode(0750),
                Member.directory("global").withMode(0777),
                Member.file("global/x", "x").withMode(0777),
                Member.symlink("pg_tblspc/1", "/nowhere"))));
        DataDirectoryWriter.Result r = w.finish();
        w.syncAll();
        assertThat(r.check().problems()).containsExactly("global/x: not in the manifest");
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("PG_VERSION"))).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("base"))).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("global"))).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("global/x"))).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.isSymbolicLink(pgdata.resolve("pg_tblspc/1"))).isTrue();
        assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/1")).toString()).isEqualTo("/nowhere");
        assertThat(Files.getPosixFilePermissions(pgdata.resolve("pg_tblspc"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void tablespaceLinksInTheTarPointAtTheMappedLocation(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        Path ts = dir.resolve("ts");
        DataDirectoryWriter w = new DataDirectoryWriter(pgdata, Map.of(16384L, ts), small(), false);
        w.write("", new ByteArrayInputStream(TarTestFiles.ustar(
                Member.directory("pg_tblspc"), Member.symlink("pg_tblspc/16384/", "/old/place"))));
        w.write("pg_tblspc/16384/", new ByteArrayInputStream(TarTestFiles.ustar(
                Member.directory("PG_15_202209061"), Member.file("PG_15_202209061/x", "x"))));
        w.finish();
        assertThat(Files.readSymbolicLink(pgdata.resolve("pg_tblspc/16384"))).isEqualTo(ts);
        assertThat(pgdata.resolve("pg_tblspc/16384/PG_15_202209061/x")).hasContent("x");
    }

    @Test
    void tablespaceMapRewriting() {
        Map<Long, Path> map = new HashMap<>();
        map.put(16384L, Path.of("/new/place"));
        map.put(16390L, Path.of("/odd\\name\nwith newline"));
        assertThat(DataDirectoryWriter.rewriteTablespaceMap("16384 /old/place\n16385 /kept\\\\path\n16390 /x\n", map))
                .isEqualTo("16384 /new/place\n16385 /kept\\\\path\n16390 /odd\\\\name\\\nwith newline\n");
        assertThat(DataDirectoryWriter.rewriteTablespaceMap("16384 /old/pla\\\nce\r\n", map)).isEqualTo("16384 /new/place\n");
    }

    @Test
    void deltaFollowsADirectorySymlinkForPgWalAndEmptiesIt(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pgdata");
        byte[] tar = TarTestFiles.ustar(Member.file("PG_VERSION", "15\n"), Member.directory("pg_wal"),
                Member.directory("pg_wal/archive_status"));
        DataDirectoryWriter first = new DataDirectoryWriter(pgdata, Map.of(), small(), false);
        first.write("", new ByteArrayInputStream(tar));
        first.finish();
        // the administrator moved pg_wal to another disk
        Path walDisk = Files.createDirectories(dir.resolve("waldisk/pg_wal"));
        Files.delete(pgdata.resolve("pg_wal/archive_status"));
        Files.delete(pgdata.resolve("pg_wal"));
        Files.createSymbolicLink(pgdata.resolve("pg_wal"), walDisk);
        Files.createDirectories(walDisk.resolve("archive_status"));
        Files.writeString(walDisk.resolve("000000010000000000000005"), "old");
        Files.writeString(walDisk.resolve("archive_status/000000010000000000000005.ready"), "");

        DataDirectoryWriter delta = new DataDirectoryWriter(pgdata, Map.of(), small(), true);
        delta.write("", new ByteArrayInputStream(tar));
        DataDirectoryWriter.Result r = delta.finish();
        delta.syncAll();
        assertThat(r.filesKept()).isEqualTo(1);
        assertThat(r.filesRemoved()).isEqualTo(2);
        assertThat(Files.isSymbolicLink(pgdata.resolve("pg_wal"))).isTrue();
        assertThat(ManifestTestBackups.tree(walDisk)).containsOnlyKeys("archive_status");
        assertThat(pgdata.resolve("PG_VERSION")).exists();
        assertThat(Files.exists(pgdata.resolve("pg_wal"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    private static ServerManifest small() {
        return ServerManifest.parse(new ByteArrayInputStream(SMALL_MANIFEST.getBytes(StandardCharsets.UTF_8)));
    }

    private static String psql(int port, String sql) throws Exception {
        return ManifestTestBackups.run(Map.of("PGPASSWORD", PG.cluster().password()),
                ManifestTestBackups.BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "postgres", "-d", db, "-XAtc", sql).strip();
    }

    private static DataDirectoryWriter.Result restore(Path pgdata, Path ts, Path baseTar, boolean delta) throws Exception {
        ServerManifest manifest = backup.manifest();
        DataDirectoryWriter writer = new DataDirectoryWriter(pgdata, Map.of(oid, ts), manifest, delta);
        try (InputStream in = Files.newInputStream(baseTar)) {
            writer.write("", in);
        }
        try (InputStream in = Files.newInputStream(backup.tablespaceTars().get(oid))) {
            writer.write(prefix, in);
        }
        DataDirectoryWriter.Result result = writer.finish();
        writer.syncAll();
        return result;
    }
}
