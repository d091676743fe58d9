package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArchiveTocTest {

    static Stream<ArchiveVersion> versions() {
        return Stream.of(ArchiveVersion.V1_12, ArchiveVersion.V1_13, ArchiveVersion.V1_14, ArchiveVersion.V1_15,
                ArchiveVersion.V1_16, new ArchiveVersion(1, 16, 3));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void readsHeaderAndEntriesOfEachFormatVersion(ArchiveVersion version) throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample().version(version)
                .compression(version.atLeast(ArchiveVersion.V1_15) ? 3 : 0);
        archive.entry(new SyntheticArchive.Entry(50, false, 16390, "parted", "TABLE", TocSection.PRE_DATA,
                "CREATE TABLE public.parted (a int) PARTITION BY RANGE (a);\n", "DROP TABLE public.parted;\n",
                "public", "app owner", 'p', List.of(5, 12), null));

        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(archive.bytes()));

        ArchiveHeader h = toc.header();
        assertThat(h.version()).isEqualTo(version);
        assertThat(h.intSize()).isEqualTo(4);
        assertThat(h.offSize()).isEqualTo(8);
        assertThat(h.format()).isEqualTo(ArchiveFormat.CUSTOM);
        assertThat(h.compression()).isEqualTo(version.atLeast(ArchiveVersion.V1_15) ? ArchiveCompression.ZSTD
                : ArchiveCompression.NONE);
        assertThat(h.createDate()).isEqualTo(LocalDateTime.of(2024, 3, 4, 5, 6, 7));
        assertThat(h.dbName()).isEqualTo("sample");
        assertThat(h.remoteVersion()).isEqualTo("15.18");
        assertThat(h.dumpVersion()).isEqualTo("15.18");
        assertThat(toc.length()).isEqualTo(archive.tocLength());
        assertThat(toc.entries()).extracting(TocEntry::dumpId).containsExactly(10, 11, 12, 5, 20, 21, 30, 31, 32, 33, 40, 50);

        TocEntry parted = toc.entry(50).orElseThrow();
        assertThat(parted.desc()).isEqualTo("TABLE");
        assertThat(parted.tag()).isEqualTo("parted");
        assertThat(parted.oid()).isEqualTo(16390);
        assertThat(parted.tableOid()).isEqualTo(1259);
        assertThat(parted.section()).isEqualTo(TocSection.PRE_DATA);
        assertThat(parted.namespace()).isEqualTo("public");
        assertThat(parted.tablespace()).isEmpty();
        assertThat(parted.owner()).isEqualTo("app owner");
        assertThat(parted.dependencies()).containsExactly(5, 12);
        assertThat(parted.dropStmt()).isEqualTo("DROP TABLE public.parted;\n");
        assertThat(parted.tableam()).isEqualTo(version.atLeast(ArchiveVersion.V1_14) ? "heap" : null);
        assertThat(parted.relkind()).isEqualTo(version.atLeast(ArchiveVersion.V1_16) ? 'p' : '\0');
        assertThat(parted.dataOffset()).isEqualTo(TocEntry.NO_OFFSET);
        assertThat(parted.dataFile()).isNull();

        TocEntry data = toc.entry(30).orElseThrow();
        assertThat(data.hadDumper()).isTrue();
        assertThat(data.section()).isEqualTo(TocSection.DATA);
        assertThat(data.copyStmt()).isEqualTo("COPY x FROM stdin;\n");
        assertThat(toc.dataEntries()).extracting(TocEntry::dumpId).containsExactly(30, 31, 33);
        assertThat(toc.encoding()).contains("UTF8");
        assertThat(toc.byDumpId()).containsKeys(10, 50).hasSize(12);
    }

    @Test
    void decodesStringsInTheDatabaseEncoding() throws IOException {
        SyntheticArchive archive = new SyntheticArchive().charset(StandardCharsets.ISO_8859_1)
                .entry(SyntheticArchive.Entry.plain(1, "ENCODING", TocSection.PRE_DATA, "ENCODING",
                        "SET client_encoding = 'LATIN1';\n", null))
                .entry(SyntheticArchive.Entry.plain(2, "TABLE", TocSection.PRE_DATA, "Grüße", "", ""))
                .entry(SyntheticArchive.Entry.plain(3, "COMMENT", TocSection.NONE, "TABLE x", null, null));
        byte[] bytes = archive.bytes();

        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(bytes));

        assertThat(toc.encoding()).contains("LATIN1");
        TocEntry table = toc.entry(2).orElseThrow();
        assertThat(table.tag()).isEqualTo("Grüße");
        assertThat(table.defn()).isEmpty();
        TocEntry comment = toc.entry(3).orElseThrow();
        assertThat(comment.defn()).isNull();
        assertThat(comment.dropStmt()).isNull();
        assertThat(comment.section()).isEqualTo(TocSection.NONE);
        // One byte per umlaut, as LATIN1 stores them.
        assertThat(indexOf(bytes, "Gr\u00fc\u00dfe".getBytes(StandardCharsets.ISO_8859_1))).isPositive();
    }

    @Test
    void readsIntegersOfOtherSizes() throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample().intSize(8);
        archive.entry(SyntheticArchive.Entry.plain(70_000, "TABLE", TocSection.PRE_DATA, "big", "", ""));

        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(archive.bytes()));

        assertThat(toc.header().intSize()).isEqualTo(8);
        assertThat(toc.entry(70_000)).isPresent();
        assertThat(toc.length()).isEqualTo(archive.tocLength());
    }

    @Test
    void givesTheSameTocWhateverTheFeedBoundaries() {
        byte[] bytes = SyntheticArchive.sample().bytes();
        long tocLength = SyntheticArchive.sample().tocLength();
        ArchiveToc whole = feedAll(bytes, bytes.length);
        for (int split = 0; split <= bytes.length; split += 7) {
            TocParser parser = new TocParser(ArchiveFormat.CUSTOM);
            int first = parser.feed(bytes, 0, split);
            int second = parser.feed(bytes, split, bytes.length - split);
            assertThat(parser.complete()).isTrue();
            assertThat((long) first + second).as("split at %d", split).isEqualTo(tocLength);
            assertThat(parser.toc()).isEqualTo(whole);
        }
        assertThat(feedAll(bytes, 1)).isEqualTo(whole);
    }

    @Test
    void refusesFormatVersionsItDoesNotKnow() {
        for (ArchiveVersion v : List.of(new ArchiveVersion(1, 11, 0), new ArchiveVersion(1, 17, 0))) {
            byte[] bytes = SyntheticArchive.sample().version(v).bytes();
            assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(bytes)))
                    .isInstanceOf(ArcaException.class)
                    .hasMessageContaining("archive format " + v)
                    .satisfies(e -> assertThat(((ArcaException) e).code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        }
    }

    @Test
    void tellsWhatOtherInputIs() throws IOException {
        byte[] sql = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(sql)))
                .isInstanceOf(ArcaException.class).hasMessage("input is a plain SQL script, not a pg_dump archive");

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(SyntheticArchive.sample().bytes());
        }
        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(gz.toByteArray())))
                .isInstanceOf(ArcaException.class).hasMessageContaining("gzip-compressed");

        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream("hello world".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ArcaException.class).hasMessageContaining("no PGDMP signature");

        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(ArcaException.class).hasMessage("archive is empty");

        byte[] tar = SyntheticArchive.sample().formatCode(ArchiveFormat.TAR.code()).bytes();
        assertThatThrownBy(() -> ArchiveToc.readTocDat(new ByteArrayInputStream(SyntheticArchive.sample().bytes())))
                .isInstanceOf(ArcaException.class).hasMessageContaining("format custom, expected directory");
        assertThat(ArchiveToc.readTocDat(new ByteArrayInputStream(tar)).header().format()).isEqualTo(ArchiveFormat.DIRECTORY);
    }

    @Test
    void reportsWhereATruncatedTocEnds() {
        byte[] bytes = SyntheticArchive.sample().bytes();
        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(Arrays.copyOf(bytes, 20))))
                .isInstanceOf(ArcaException.class).hasMessage("archive ends inside its header after 20 bytes");
        int cut = (int) SyntheticArchive.sample().tocLength() - 1;
        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(Arrays.copyOf(bytes, cut))))
                .isInstanceOf(ArcaException.class)
                .hasMessage("archive ends inside its table of contents (entry 11 of 11) after " + cut + " bytes");
    }

    @Test
    void rejectsImpossibleValues() {
        byte[] bytes = SyntheticArchive.sample().bytes();
        byte[] hugeString = bytes.clone();
        // The database name's length: sign byte, then four bytes; make it 2^30 + 1.
        int at = 5 + 3 + 3 + 5 + 7 * 5;
        hugeString[at + 4] = 0x40;
        hugeString[at + 1] = 1;
        assertThatThrownBy(() -> ArchiveToc.read(new ByteArrayInputStream(hugeString)))
                .isInstanceOf(ArcaException.class).hasMessageContaining("more than any TOC entry has");
    }

    @Test
    void readsADirectoryArchivesTocFile(@TempDir Path dir) throws IOException {
        byte[] tocDat = SyntheticArchive.sample().formatCode(ArchiveFormat.TAR.code()).compression(-1).tocBytes();
        Files.write(dir.resolve("toc.dat"), tocDat);

        ArchiveToc toc = ArchiveToc.readDirectory(dir);

        assertThat(toc.header().format()).isEqualTo(ArchiveFormat.DIRECTORY);
        assertThat(toc.header().compression()).isEqualTo(ArchiveCompression.GZIP);
        assertThat(toc.entry(30).orElseThrow().dataFile()).isEqualTo("30.dat");
        assertThat(toc.entry(33).orElseThrow().dataFile()).isEqualTo("blobs.toc");
        assertThat(toc.entry(20).orElseThrow().dataFile()).isNull();
        assertThat(ArchiveToc.read(new ByteArrayInputStream(tocDat))).isEqualTo(toc);

        Path gz = Files.createDirectory(dir.resolve("gz"));
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz.resolve("toc.dat.gz")))) {
            out.write(tocDat);
        }
        assertThat(ArchiveToc.readDirectory(gz)).isEqualTo(toc);
    }

    private static ArchiveToc feedAll(byte[] bytes, int step) {
        TocParser parser = new TocParser(ArchiveFormat.CUSTOM);
        for (int p = 0; p < bytes.length && !parser.complete(); p += step) {
            parser.feed(bytes, p, Math.min(step, bytes.length - p));
        }
        return parser.toc();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
