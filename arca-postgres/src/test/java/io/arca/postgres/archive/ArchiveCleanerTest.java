package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveCleanerTest {

    @Test
    void dropsSelectedEntriesLastFirst() throws IOException {
        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(SyntheticArchive.sample().bytes()));

        List<String> all = sql(ArchiveCleaner.dropStatements(toc, id -> true));
        assertThat(all).containsExactly("DROP INDEX public.t1_a;\n", "DROP TABLE public.t2;\n", "DROP TABLE public.t1;\n",
                "DROP SCHEMA \"äpp\";\n");

        List<String> some = sql(ArchiveCleaner.dropStatements(toc, id -> id == 20 || id == 30));
        assertThat(some).containsExactly("DROP TABLE public.t1;\n");
    }

    @Test
    void unlinksLargeObjectsOnlyWhereTheyExistAndSkipsCommentsAndTheDatabase() throws IOException {
        SyntheticArchive archive = new SyntheticArchive().version(ArchiveVersion.V1_16)
                .entry(SyntheticArchive.Entry.plain(1, "DATABASE", TocSection.PRE_DATA, "db", "CREATE DATABASE db;\n",
                        "DROP DATABASE db;\n"))
                .entry(SyntheticArchive.Entry.plain(2, "SCHEMA", TocSection.PRE_DATA, "public", "",
                        "-- *not* dropping schema, since initdb creates it\n"))
                .entry(new SyntheticArchive.Entry(3, false, 16435, "16435", "BLOB", TocSection.PRE_DATA,
                        "SELECT pg_catalog.lo_create('16435');\n", "SELECT pg_catalog.lo_unlink('16435');\n", null,
                        "postgres", '\0', List.of(), null))
                .entry(SyntheticArchive.Entry.plain(4, "BLOB METADATA", TocSection.PRE_DATA, "16436..16438",
                        "16436\n16437\n16438\n", "placeholder"));
        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(archive.bytes()));

        assertThat(sql(ArchiveCleaner.dropStatements(toc, id -> true))).containsExactly(
                "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16436'",
                "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16437'",
                "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16438'",
                "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16435'");
    }

    private static List<String> sql(List<ArchiveCleaner.DropStatement> drops) {
        return drops.stream().map(ArchiveCleaner.DropStatement::sql).toList();
    }
}
