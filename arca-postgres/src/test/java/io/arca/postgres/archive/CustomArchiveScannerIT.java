package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner and TOC parser against archives the real pg_dump writes. */
class CustomArchiveScannerIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final long BASE_SEED = 20260221L;

    private static String db;
    private static byte[] dump;

    @BeforeAll
    static void dumpSampleDataset() throws SQLException, IOException {
        db = PG.createDatabase("scan");
        try (Connection c = PG.connect(db)) {
            SampleDataset.load(c);
            SampleDataset.loadBulk(c, 3000);
        }
        dump = PgDumps.customThroughPipe(PG.settings(db));
    }

    static LongStream seeds() {
        return LongStream.range(0, 6).map(i -> BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void findsEveryBlockOfARealDumpWhateverTheWriteBoundaries(long seed) throws IOException, SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingListener listener = new RecordingListener(out);
        CustomArchiveScanner scanner = new CustomArchiveScanner(out, listener);

        ArchiveWrites.inRandomPieces(dump, scanner, new Random(seed), 100_000);
        scanner.close();

        assertThat(out.toByteArray()).as("seed %d", seed).isEqualTo(dump);
        ArchiveToc toc = scanner.toc().orElseThrow();
        assertThat(toc.header().format()).isEqualTo(ArchiveFormat.CUSTOM);
        assertThat(toc.header().version()).isEqualTo(ArchiveVersion.V1_14);
        assertThat(toc.header().compression()).isEqualTo(ArchiveCompression.NONE);
        assertThat(toc.header().dbName()).isEqualTo(db);
        assertThat(toc.header().remoteVersion()).startsWith("15.");
        assertThat(toc.encoding()).contains("UTF8");

        List<String> tableData = toc.entries().stream().filter(e -> e.is("TABLE DATA"))
                .map(e -> e.namespace() + "." + e.tag()).sorted().toList();
        assertThat(tableData).as("seed %d", seed).isEqualTo(tablesWithStorage());
        assertThat(tableData).contains("Ünïcødé.Tåble ☃", "app.events_2024");

        List<CustomArchiveScanner.DataBlock> blocks = scanner.blocks();
        assertThat(blocks).extracting(CustomArchiveScanner.DataBlock::dumpId)
                .containsExactlyElementsOf(toc.dataEntries().stream().map(TocEntry::dumpId).toList());
        long offset = toc.length();
        for (CustomArchiveScanner.DataBlock b : blocks) {
            assertThat(b.offset()).as("block %d, seed %d", b.dumpId(), seed).isEqualTo(offset);
            assertThat(dump[(int) b.offset()]).isEqualTo((byte) b.type());
            offset += b.length();
        }
        assertThat(offset).as("blocks end where the archive ends, seed %d", seed).isEqualTo(dump.length);
        assertThat(blocks).filteredOn(b -> b.type() == CustomArchiveScanner.BLK_BLOBS).singleElement()
                .satisfies(b -> assertThat(toc.entry(b.dumpId()).orElseThrow().desc()).isEqualTo("BLOBS"));

        List<RecordingListener.Event> expected = new ArrayList<>();
        expected.add(new RecordingListener.Event(0, 0, toc.length(), toc.length()));
        blocks.forEach(b -> expected.add(new RecordingListener.Event(b.dumpId(), b.type(), b.offset(), b.offset())));
        assertThat(listener.events).as("seed %d", seed).containsExactlyElementsOf(expected);
    }

    @Test
    void agreesWithPgRestoreOnTheEntries(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sample.dump");
        Files.write(file, dump);
        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(dump));

        List<DataPhasePlan.ListLine> listed = DataPhasePlan.parseListing(PgDumps.list(file));

        assertThat(listed).isNotEmpty();
        for (DataPhasePlan.ListLine line : listed) {
            TocEntry e = toc.entry(line.dumpId()).orElseThrow();
            assertThat(line.text()).contains(" " + e.desc() + " ");
        }
        assertThat(listed).hasSizeGreaterThan(toc.entries().size() - 5);
    }

    @Test
    void findsTheOffsetsPgDumpRecordsWhenWritingAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("seekable.dump");
        PgDumps.customToFile(PG.settings(db), file);
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        scanner.write(Files.readAllBytes(file));
        scanner.finish();

        ArchiveToc toc = scanner.toc().orElseThrow();
        for (CustomArchiveScanner.DataBlock b : scanner.blocks()) {
            assertThat(toc.entry(b.dumpId()).orElseThrow().dataOffset()).isEqualTo(b.offset());
        }
        assertThat(scanner.blocks()).hasSameSizeAs(toc.dataEntries());
    }

    @Test
    void detectsTruncatedDumps() throws IOException {
        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(dump));
        CustomArchiveScanner whole = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        whole.write(dump);
        whole.finish();
        List<CustomArchiveScanner.DataBlock> blocks = whole.blocks();
        CustomArchiveScanner.DataBlock largest = blocks.stream()
                .max((a, b) -> Long.compare(a.length(), b.length())).orElseThrow();

        long[] cuts = {toc.length() / 2, toc.length(), largest.offset() + largest.length() / 2,
                blocks.get(blocks.size() - 1).offset(), dump.length - 1};
        for (long cut : cuts) {
            CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
            scanner.write(Arrays.copyOf(dump, (int) cut));
            assertThatThrownBy(scanner::close).as("cut at %d", cut)
                    .isInstanceOfSatisfying(ArcaException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        }
    }

    @Test
    void decodesNamesInTheDatabaseEncoding() throws IOException, SQLException {
        PG.cluster().execute("postgres", "CREATE DATABASE latin1_names WITH TEMPLATE template0 ENCODING 'LATIN1'"
                + " LC_COLLATE 'C' LC_CTYPE 'C'");
        try (Connection c = PG.connect("latin1_names"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.\"Grüße\" (\"Maß\" text); INSERT INTO public.\"Grüße\" VALUES ('ß')");
        }
        byte[] latin1 = PgDumps.customThroughPipe(PG.settings("latin1_names"));

        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(latin1));

        assertThat(toc.encoding()).contains("LATIN1");
        assertThat(toc.entries()).filteredOn(e -> e.is("TABLE")).singleElement()
                .satisfies(e -> {
                    assertThat(e.tag()).isEqualTo("Grüße");
                    assertThat(e.defn()).contains("\"Maß\" text");
                });
    }

    @Test
    void refusesAPlainFormatDump() throws IOException {
        byte[] sql = PgDumps.plain(PG.settings(db));
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        assertThatThrownBy(() -> scanner.write(sql)).isInstanceOf(ArcaException.class)
                .hasMessage("input is a plain SQL script, not a pg_dump archive");
    }

    @Test
    void readsTheTocOfADirectoryFormatDump(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("dump");
        PgDumps.directory(PG.settings(db), out);

        ArchiveToc dirToc = ArchiveToc.readDirectory(out);
        ArchiveToc customToc = ArchiveToc.read(new ByteArrayInputStream(dump));

        assertThat(dirToc.header().format()).isEqualTo(ArchiveFormat.DIRECTORY);
        assertThat(dirToc.header().compression()).isEqualTo(ArchiveCompression.GZIP);
        assertThat(dirToc.length()).isEqualTo(Files.size(out.resolve("toc.dat")));
        assertThat(describe(dirToc)).isEqualTo(describe(customToc));
        for (TocEntry e : dirToc.entries()) {
            if (e.is("TABLE DATA")) {
                assertThat(e.dataFile()).isEqualTo(e.dumpId() + ".dat");
                assertThat(Files.exists(out.resolve(e.dataFile())) || Files.exists(out.resolve(e.dataFile() + ".gz")))
                        .as(e.dataFile()).isTrue();
            } else if (e.is("BLOBS")) {
                assertThat(e.dataFile()).isEqualTo("blobs.toc");
            } else {
                assertThat(e.dataFile()).as(e.describe()).isNull();
            }
        }
    }

    private static List<String> describe(ArchiveToc toc) {
        return toc.entries().stream().map(e -> e.desc() + " " + e.namespace() + " " + e.tag() + " " + e.section()).toList();
    }

    private static List<String> tablesWithStorage() throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection c = PG.connect(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_class c"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'")) {
            while (rs.next()) {
                names.add(rs.getString(1) + "." + rs.getString(2));
            }
        }
        return names.stream().sorted().toList();
    }
}
