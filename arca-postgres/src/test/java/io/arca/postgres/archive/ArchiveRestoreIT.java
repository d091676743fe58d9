package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.testkit.pg.DatabaseAssertions;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Restores of real pg_dump archives, compared with the source database by fingerprint. */
class ArchiveRestoreIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final String UNICODE_TABLE = "\"Ünïcødé\".\"Tåble ☃\"";
    private static final String MIXED_TABLE = "public.\"MixedCase\"";

    private static Path dir;
    private static Path dumpFile;
    private static FileArchiveSource archive;
    private static DatabaseFingerprint expected;

    @BeforeAll
    static void dumpSource() throws SQLException, IOException {
        String source = PG.createDatabase("source");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            SampleDataset.loadBulk(c, 5000);
            expected = DatabaseFingerprint.of(c);
        }
        dir = Files.createTempDirectory("arca-restore-it-");
        dumpFile = dir.resolve("source.dump");
        PgDumps.customThroughPipe(PG.settings(source), dumpFile);
        archive = FileArchiveSource.open(dumpFile);
    }

    @AfterAll
    static void removeDump() throws IOException {
        Files.deleteIfExists(dumpFile);
        Files.deleteIfExists(dir);
    }

    @ParameterizedTest(name = "jobs {0}")
    @ValueSource(ints = {2, 3})
    void parallelRestoreGivesTheSourceDatabase(int jobs) throws IOException, SQLException {
        String target = PG.createDatabase("parallel");
        List<long[]> progress = new ArrayList<>();

        ArchiveRestore.RestoreReport report = restore(target).restore(archive,
                RestoreOptions.defaults().withJobs(jobs).withProgress((fed, total) -> progress.add(new long[] {fed, total})));

        assertSameAsSource(target);
        long dataBytes = archive.blocks().stream().mapToLong(BlockRef::length).sum();
        assertThat(report.dataWorkers()).isEqualTo(jobs);
        assertThat(report.dataBytes()).isEqualTo(dataBytes);
        assertThat(report.clean()).isNull();
        assertThat(progress).isNotEmpty();
        assertThat(progress).allSatisfy(p -> assertThat(p[1]).isEqualTo(dataBytes));
        assertThat(progress.get(progress.size() - 1)[0]).isEqualTo(dataBytes);
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i)[0]).isGreaterThan(progress.get(i - 1)[0]);
        }
    }

    @Test
    void serialRestoreFromASourceOrAStreamGivesTheSourceDatabase() throws IOException, SQLException {
        String fromSource = PG.createDatabase("serial");
        ArchiveRestore.RestoreReport report = restore(fromSource).restore(archive, RestoreOptions.defaults());
        assertSameAsSource(fromSource);
        assertThat(report.dataWorkers()).isEqualTo(1);

        String fromStream = PG.createDatabase("stream");
        try (InputStream in = Files.newInputStream(dumpFile)) {
            ArchiveRestore.RestoreReport r = restore(fromStream).restoreSerial(in, RestoreOptions.defaults().withJobs(4));
            assertThat(r.dataBytes()).isEqualTo(Files.size(dumpFile));
        }
        assertSameAsSource(fromStream);
    }

    @Test
    void cleanRestoresTwiceToTheSameDatabaseAsPgRestoreCleanIfExists() throws IOException, SQLException {
        String target = PG.createDatabase("clean");
        RestoreOptions clean = RestoreOptions.defaults().withJobs(2).withClean(true);

        ArchiveRestore.RestoreReport first = restore(target).restore(archive, clean);
        assertSameAsSource(target);
        // On an empty database only the large-object unlinks run (they unlink where present, here nothing).
        long largeObjects = archive.toc().entries().stream().filter(e -> e.is("BLOB")).count();
        assertThat(first.clean().executed()).isEqualTo(largeObjects);
        assertThat(first.clean().absent()).isPositive();

        try (Connection c = PG.connect(target); Statement st = c.createStatement()) {
            st.execute("DELETE FROM app.bulk WHERE id % 3 = 0");
            st.execute("UPDATE public.\"MixedCase\" SET \"Value\" = 'changed'");
            st.execute("SELECT lo_unlink(424203)");
        }
        ArchiveRestore.RestoreReport second = restore(target).restore(archive, clean);
        assertSameAsSource(target);
        assertThat(second.clean().executed()).isGreaterThan((int) largeObjects);

        try (InputStream in = Files.newInputStream(dumpFile)) {
            restore(target).restoreSerial(in, clean);
        }
        assertSameAsSource(target);

        // pg_restore's own clean cannot drop a partition's inherited primary key and stops there
        // under --exit-on-error; without it, it reports those statements and carries on.
        String byPgRestore = PG.createDatabase("pgclean");
        PgDumps.pgRestore(dumpFile, PG.settings(byPgRestore));
        PgDumps.pgRestoreIgnoringErrors(dumpFile, PG.settings(byPgRestore), "--clean", "--if-exists");
        try (Connection ours = PG.connect(target); Connection theirs = PG.connect(byPgRestore)) {
            DatabaseAssertions.assertSameData(theirs, ours);
        }
    }

    @Test
    void filtersApplyToEveryPhaseAndToTheClean() throws IOException, SQLException {
        String target = PG.createDatabase("filtered");
        PG.cluster().execute(target, "CREATE SCHEMA \"Ünïcødé\"");

        restore(target).restore(archive, RestoreOptions.defaults().withJobs(2).withSchemas(List.of("Ünïcødé")));

        DatabaseFingerprint restored;
        try (Connection c = PG.connect(target)) {
            restored = DatabaseFingerprint.of(c);
        }
        assertThat(restored.tables()).containsOnlyKeys(UNICODE_TABLE);
        assertThat(restored.table(UNICODE_TABLE)).isEqualTo(expected.table(UNICODE_TABLE));
        assertThat(restored.largeObjects()).isZero();
        assertThat(restored.indexes()).containsExactly("\"Ünïcødé\".\"Tåble ☃_pkey\"");

        String full = PG.createDatabase("fullthenone");
        restore(full).restore(archive, RestoreOptions.defaults().withJobs(2));
        try (Connection c = PG.connect(full); Statement st = c.createStatement()) {
            st.execute("UPDATE public.\"MixedCase\" SET \"Value\" = 'changed'");
            st.execute("DELETE FROM app.bulk WHERE id < 10");
        }
        restore(full).restore(archive,
                RestoreOptions.defaults().withJobs(2).withClean(true).withTables(List.of("MixedCase")));
        try (Connection c = PG.connect(full)) {
            DatabaseFingerprint after = DatabaseFingerprint.of(c);
            assertThat(after.table(MIXED_TABLE)).isEqualTo(expected.table(MIXED_TABLE));
            assertThat(after.table(SampleDataset.BULK_TABLE).rows())
                    .isEqualTo(expected.table(SampleDataset.BULK_TABLE).rows() - 9);
        }
    }

    @Test
    void cleanStopsAtObjectsOutsideTheBackupThatDependOnIt() throws IOException {
        String target = PG.createDatabase("dependent");
        restore(target).restore(archive, RestoreOptions.defaults().withJobs(2));
        PG.cluster().execute(target, "CREATE VIEW public.outsider AS SELECT id FROM app.bulk");

        assertThatThrownBy(() -> restore(target).restore(archive, RestoreOptions.defaults().withJobs(2).withClean(true)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                    assertThat(e.getMessage()).startsWith("could not drop ").contains("app.bulk", "sqlstate 2BP01");
                    assertThat(e.hint()).contains("depend on it");
                });
    }

    @Test
    void listsWhatARestoreWouldRestore() throws IOException {
        String all = restore("postgres").list(archive, RestoreOptions.defaults());
        assertThat(all).contains("TABLE DATA app bulk", "BLOBS - BLOBS", "FK CONSTRAINT");
        String one = restore("postgres").list(archive, RestoreOptions.defaults().withTables(List.of("bulk")));
        assertThat(DataPhasePlan.parseListing(one)).extracting(DataPhasePlan.ListLine::text)
                .allSatisfy(line -> assertThat(line).contains(" bulk "))
                .hasSize(2);
    }

    @Test
    void aFailingWorkerStopsTheRestoreWithItsError() throws IOException {
        String target = PG.createDatabase("failing");
        BlockRef victim = blockOf("TABLE DATA", "events_2024");
        ArchiveSource corrupt = new ForwardingSource(archive) {
            @Override
            public InputStream openBlock(BlockRef block) throws IOException {
                if (block.dumpId() != victim.dumpId()) {
                    return super.openBlock(block);
                }
                byte[] bytes;
                try (InputStream in = super.openBlock(block)) {
                    bytes = in.readAllBytes();
                }
                // Type byte, dump id, chunk length: then the first row, whose first column is an integer.
                bytes[1 + 5 + 5] = 'x';
                return new ByteArrayInputStream(bytes);
            }
        };

        assertThatThrownBy(() -> restore(target).restore(corrupt, RestoreOptions.defaults().withJobs(3)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
                    assertThat(e.getMessage()).startsWith("pg_restore (data ").contains("of 3) failed (exit 1)");
                    assertThat(e.getCause()).isInstanceOf(io.arca.postgres.local.ToolProcess.Output.class)
                            .hasMessageContaining("invalid input syntax for type");
                });
        assertNoPgRestoreLeft();
    }

    @Test
    void aFailingSourceStopsTheRestoreWithItsError() {
        String target = PG.createDatabase("nosource");
        BlockRef victim = blockOf("TABLE DATA", "bulk");
        ArchiveSource failing = new ForwardingSource(archive) {
            @Override
            public InputStream openBlock(BlockRef block) throws IOException {
                if (block.dumpId() == victim.dumpId()) {
                    throw new IOException("storage unavailable");
                }
                return super.openBlock(block);
            }
        };
        assertThatThrownBy(() -> restore(target).restore(failing, RestoreOptions.defaults().withJobs(2)))
                .isInstanceOf(IOException.class).hasMessage("storage unavailable");
        assertNoPgRestoreLeft();
    }

    @Test
    void aFailingPhaseNamesItself() throws IOException {
        String target = PG.createDatabase("twice");
        restore(target).restore(archive, RestoreOptions.defaults().withJobs(2));
        assertThatThrownBy(() -> restore(target).restore(archive, RestoreOptions.defaults().withJobs(2)))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
                    assertThat(e.getMessage()).startsWith("pg_restore (pre-data) failed (exit 1)").contains("already exists");
                });
    }

    private static BlockRef blockOf(String desc, String tag) {
        TocEntry entry = archive.toc().entries().stream().filter(e -> e.is(desc) && tag.equals(e.tag())).findFirst()
                .orElseThrow();
        return archive.blocks().stream().filter(b -> b.dumpId() == entry.dumpId()).findFirst().orElseThrow();
    }

    private static void assertNoPgRestoreLeft() {
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("pg_restore"))
                .filter(ProcessHandle::isAlive)).isEmpty();
    }

    private static ArchiveRestore restore(String database) {
        ConnectionSettings target = PG.settings(database);
        return new ArchiveRestore(new PgRestoreCommand(PgDumps.program("pg_restore"), target));
    }

    private static void assertSameAsSource(String database) throws SQLException {
        try (Connection c = PG.connect(database)) {
            DatabaseAssertions.assertSameData(expected, DatabaseFingerprint.of(c));
        }
    }

    /** An {@link ArchiveSource} that passes everything to another, for overriding one method. */
    private static class ForwardingSource implements ArchiveSource {
        private final ArchiveSource delegate;

        ForwardingSource(ArchiveSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public ArchiveToc toc() {
            return delegate.toc();
        }

        @Override
        public InputStream openToc() throws IOException {
            return delegate.openToc();
        }

        @Override
        public List<BlockRef> blocks() {
            return delegate.blocks();
        }

        @Override
        public InputStream openBlock(BlockRef block) throws IOException {
            return delegate.openBlock(block);
        }
    }
}
