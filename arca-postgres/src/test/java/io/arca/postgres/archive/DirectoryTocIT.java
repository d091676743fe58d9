package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A custom archive's TOC written as a directory archive's toc.dat says the same to the parser and to pg_restore. */
class DirectoryTocIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void rewrittenTocListsTheSameEntriesAndDataFilesHoldTheCopyData(@TempDir Path dir) throws Exception {
        String db = PG.createDatabase("dirtoc");
        try (Connection c = PG.connect(db)) {
            SampleDataset.load(c);
        }
        byte[] dump = PgDumps.customThroughPipe(PG.settings(db));
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        scanner.write(dump);
        scanner.finish();
        ArchiveToc toc = scanner.toc().orElseThrow();
        Set<Integer> withData = scanner.blocks().stream().map(CustomArchiveScanner.DataBlock::dumpId)
                .collect(Collectors.toCollection(HashSet::new));

        byte[] tocDat = DirectoryToc.write(toc, withData::contains);
        ArchiveToc reread = ArchiveToc.readTocDat(new ByteArrayInputStream(tocDat));
        assertThat(reread.entries()).hasSameSizeAs(toc.entries());
        for (int i = 0; i < toc.entries().size(); i++) {
            TocEntry a = toc.entries().get(i);
            TocEntry b = reread.entries().get(i);
            assertThat(b).usingRecursiveComparison().ignoringFields("dataFile", "dataOffset").isEqualTo(a);
            assertThat(b.dataFile()).isEqualTo(withData.contains(a.dumpId()) ? DirectoryToc.fileName(a.dumpId()) : null);
        }

        // pg_restore reads the rewritten toc.dat and lists exactly what it lists for the dump itself.
        Path custom = Files.write(dir.resolve("dump.custom"), dump);
        Path view = Files.createDirectories(dir.resolve("view"));
        Files.write(view.resolve("toc.dat"), tocDat);
        assertThat(entryLines(PgDumps.list(view))).isEqualTo(entryLines(PgDumps.list(custom)));

        // A table's data file is its COPY text: rows ending in newlines, then the end-of-data marker.
        CustomArchiveScanner.DataBlock block = scanner.blocks().stream()
                .filter(bl -> toc.entry(bl.dumpId()).orElseThrow().tag().equals("lowercase_plain")).findFirst().orElseThrow();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        DirectoryToc.copyBlockData(new ByteArrayInputStream(dump, (int) block.offset(), (int) block.length()),
                toc.header().intSize(), data);
        assertThat(data.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("1\tplain\n\\N\t\\N\n\\N\t\\N\n\\.\n\n\n");
    }

    private static List<String> entryLines(String listing) {
        return listing.lines().filter(l -> !l.startsWith(";")).toList();
    }
}
