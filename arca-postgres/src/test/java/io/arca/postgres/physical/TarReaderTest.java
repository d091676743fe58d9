package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.physical.TarTestFiles.Member;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarReaderTest {

    /** A path of 150 characters in 3 directories, longer than ustar's 100-byte name field. */
    private static final String LONG_PATH = "d".repeat(40) + "/" + "e".repeat(40) + "/" + "f".repeat(40) + "/"
            + "g".repeat(150 - 123);
    private static final String LONG_TARGET = "/some/where/" + "t".repeat(120);

    @ParameterizedTest(name = "tar --format={0}")
    @ValueSource(strings = {"gnu", "pax"})
    void longNamesAndLinkTargetsOfGnuAndPaxArchives(String format, @TempDir Path dir) throws Exception {
        assertThat(LONG_PATH).hasSize(150);
        Path src = dir.resolve("src");
        Path file = src.resolve(LONG_PATH);
        Files.createDirectories(file.getParent());
        byte[] content = new byte[1000];
        Arrays.fill(content, (byte) 'x');
        content[999] = 'y';
        Files.write(file, content);
        Files.createSymbolicLink(src.resolve("link"), Path.of(LONG_TARGET));
        Path tar = dir.resolve("a.tar");
        ManifestTestBackups.run(Map.of(), "tar", "--format=" + format, "-cf", tar.toString(), "-C", src.toString(),
                "d" + "d".repeat(39), "link");

        List<TarEntry> entries = new ArrayList<>();
        byte[] read = null;
        try (TarReader r = new TarReader(Files.newInputStream(tar))) {
            for (TarEntry e = r.next(); e != null; e = r.next()) {
                entries.add(e);
                if (e.name().equals(LONG_PATH)) {
                    read = r.content().readAllBytes();
                }
            }
        }
        assertThat(entries).extracting(TarEntry::name)
                .containsExactlyElementsOf(ManifestTestBackups.tarList(tar))
                .contains(LONG_PATH, "link");
        TarEntry f = entries.stream().filter(e -> e.name().equals(LONG_PATH)).findFirst().orElseThrow();
        assertThat(f.type()).isEqualTo(TarEntry.Type.FILE);
        assertThat(f.size()).isEqualTo(1000);
        assertThat(read).isEqualTo(content);
        TarEntry link = entries.stream().filter(e -> e.name().equals("link")).findFirst().orElseThrow();
        assertThat(link.type()).isEqualTo(TarEntry.Type.SYMLINK);
        assertThat(link.linkTarget()).isEqualTo(LONG_TARGET);
        assertThat(entries).filteredOn(e -> e.name().equals("d".repeat(40)))
                .singleElement().extracting(TarEntry::type).isEqualTo(TarEntry.Type.DIRECTORY);
    }

    @Test
    void readsUstarAsPostgresqlWritesIt() throws Exception {
        byte[] tar = TarTestFiles.ustar(
                Member.file("PG_VERSION", "15\n"),
                Member.directory("base/"),
                Member.file("base/1/1259", new byte[8192]),
                Member.directory("./pg_wal/archive_status/"),
                Member.symlink("pg_tblspc/16384/", "/srv/ts").withMode(0777),
                Member.file("global/pg_control", "control").withMode(0640));
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            TarEntry v = r.next();
            assertThat(v).isEqualTo(new TarEntry("PG_VERSION", TarEntry.Type.FILE, 3, 0600,
                    Instant.ofEpochSecond(1_700_000_000L), null));
            assertThat(new String(r.content().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("15\n");
            assertThat(r.content().read()).isEqualTo(-1);
            assertThat(r.next()).extracting(TarEntry::name, TarEntry::type).containsExactly("base", TarEntry.Type.DIRECTORY);
            TarEntry big = r.next();
            assertThat(big.name()).isEqualTo("base/1/1259");
            // read a little and leave the rest: next() skips it
            assertThat(r.content().read(new byte[10])).isEqualTo(10);
            assertThat(r.next().name()).isEqualTo("pg_wal/archive_status");
            TarEntry link = r.next();
            assertThat(link).extracting(TarEntry::name, TarEntry::type, TarEntry::linkTarget)
                    .containsExactly("pg_tblspc/16384", TarEntry.Type.SYMLINK, "/srv/ts");
            TarEntry control = r.next();
            assertThat(control.mode()).isEqualTo(0640);
            // not read at all
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void aStreamEndingCleanlyAtABlockBoundaryEnds() throws Exception {
        byte[] tar = TarTestFiles.ustar(Member.file("a", "abc"));
        byte[] noTrailer = Arrays.copyOf(tar, tar.length - 1024);
        assertThat(names(noTrailer)).containsExactly("a");
    }

    @Test
    void consumesThePaddingAfterTheEndMarker() throws Exception {
        byte[] tar = TarTestFiles.ustar(Member.file("a", "abc"));
        byte[] padded = Arrays.copyOf(tar, 10240);
        ByteArrayInputStream in = new ByteArrayInputStream(padded);
        try (TarReader r = new TarReader(in)) {
            assertThat(r.next()).isNotNull();
            assertThat(r.next()).isNull();
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void truncatedArchivesAreVerificationFailures() {
        byte[] tar = TarTestFiles.ustar(Member.file("a", new byte[2000]), Member.file("b", "b"));
        // inside a's content, read through content()
        assertThatThrownBy(() -> {
            try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 512 + 1000)), "'x.tar'")) {
                r.next();
                r.content().readAllBytes();
            }
        }).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).isEqualTo("'x.tar' is truncated: it ends inside 'a' (2000 bytes)");
            assertThat(e.hint()).isNotBlank();
        });
        // inside a's content, skipped by next()
        assertVerificationFailure(Arrays.copyOf(tar, 512 + 1000), "is truncated");
        // inside a's padding
        assertVerificationFailure(Arrays.copyOf(tar, 512 + 2040), "is truncated");
        // inside b's header
        assertVerificationFailure(Arrays.copyOf(tar, 512 + 2048 + 100), "ends inside the header");
    }

    @Test
    void aDamagedHeaderIsAVerificationFailure() {
        byte[] tar = TarTestFiles.ustar(Member.file("a", "abc"), Member.file("b", "b"));
        tar[512 + 512 + 1] ^= 0x01; // a bit of b's name; its checksum no longer fits
        assertVerificationFailure(tar, "has checksum");
        byte[] garbage = new byte[1024];
        Arrays.fill(garbage, (byte) 'A');
        assertVerificationFailure(garbage, "is corrupt");
    }

    @Test
    void hardLinksAndDevicesAreRefused() {
        byte[] tar = TarTestFiles.ustar(new Member("a", '1', 0600, new byte[0], "b"));
        assertVerificationFailure(tar, "unsupported type '1' (hard link)");
    }

    @Test
    void gnuBase256SizesRead() throws Exception {
        byte[] tar = TarTestFiles.ustar(Member.file("a", "hello"));
        // size field as GNU base-256: 0x80 then big-endian bytes
        Arrays.fill(tar, 124, 136, (byte) 0);
        tar[124] = (byte) 0x80;
        tar[135] = 5;
        byte[] header = Arrays.copyOfRange(tar, 0, 512);
        TarTestFiles.checksum(header);
        System.arraycopy(header, 0, tar, 0, 512);
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            assertThat(r.next().size()).isEqualTo(5);
            assertThat(new String(r.content().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(r.next()).isNull();
        }
    }

    private static List<String> names(byte[] tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            for (TarEntry e = r.next(); e != null; e = r.next()) {
                names.add(e.name());
            }
        }
        return names;
    }

    private static void assertVerificationFailure(byte[] tar, String message) {
        assertThatThrownBy(() -> {
            try (InputStream in = new ByteArrayInputStream(tar)) {
                names(in.readAllBytes());
            }
        }).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
