package io.arca.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.crypto.TestKeys;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.storage.local.LocalFileStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The WAL archive: round trips, idempotent pushes, conflicts, foreign clusters, damage. */
class WalArchiveTest {
    private static final long SEG = 16L << 20;
    private static final long SYSTEM = 7441234567890123456L;
    private static final long SEED = new Random().nextLong();

    @TempDir
    Path dir;
    private Repository repo;

    @BeforeEach
    void setUp() {
        System.out.println("seed " + SEED);
        repo = Repository.init(new LocalFileStorage(dir.resolve("repo")), new RepositoryConfig.Defaults("zstd:3"),
                Clock.systemUTC());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zstd:3", "none", "gzip:1", "zstd:3 encrypted"})
    void segmentsRoundTrip(String setup) throws IOException {
        boolean encrypted = setup.endsWith("encrypted");
        Repository r = encrypted ? repo.withKeys(TestKeys.to(TestKeys.bob()), TestKeys.with(TestKeys.bob(), null)) : repo;
        WalArchive archive = new WalArchive(r, CodecSpec.parse(setup.split(" ")[0]));
        WalFileName name = WalFileName.parse("000000010000000000000003", SEG);
        Path segment = segment("seg", SYSTEM, 1);
        assertThat(archive.push(SYSTEM, name, segment)).isEqualTo(WalArchive.Pushed.ARCHIVED);
        String key = archive.find(SYSTEM, name).orElseThrow();
        assertThat(key).startsWith("wal/7441234567890123456/00000001/000000010000000000000003-")
                .endsWith(encrypted ? ".zst.gpg" : "");
        Path out = dir.resolve("out");
        assertThat(archive.fetch(SYSTEM, name, out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(segment));
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".arca-partial"));
    }

    @Test
    void theSameContentTwiceIsAcceptedOtherContentIsRefused() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        WalFileName name = WalFileName.parse("000000010000000000000004", SEG);
        assertThat(archive.push(SYSTEM, name, segment("a", SYSTEM, 1))).isEqualTo(WalArchive.Pushed.ARCHIVED);
        assertThat(archive.push(SYSTEM, name, segment("b", SYSTEM, 1))).isEqualTo(WalArchive.Pushed.ALREADY_ARCHIVED);
        assertThatThrownBy(() -> archive.push(SYSTEM, name, segment("c", SYSTEM, 2)))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_CONFLICT))
                .hasMessageContaining("already archived with other content");
    }

    @Test
    void segmentsOfAnotherClusterAreRefused() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        WalFileName name = WalFileName.parse("000000010000000000000005", SEG);
        assertThatThrownBy(() -> archive.push(SYSTEM, name, segment("x", SYSTEM + 1, 1)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_SYSTEM_MISMATCH));
        archive.push(SYSTEM + 1, name, segment("y", SYSTEM + 1, 1));
        // asked for by a cluster whose archive it is not: not there
        assertThat(archive.fetch(SYSTEM, name, dir.resolve("out"))).isFalse();
    }

    @Test
    void historyFilesNeedNoHeaderAndMissingFilesAreReportedAsMissing() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        WalFileName history = WalFileName.parse("00000002.history", SEG);
        Path file = Files.writeString(dir.resolve("00000002.history"), "1\t0/3000158\tno recovery target specified\n");
        archive.push(SYSTEM, history, file);
        assertThat(archive.fetch(SYSTEM, history, dir.resolve("h"))).isTrue();
        assertThat(Files.readString(dir.resolve("h"))).isEqualTo(Files.readString(file));
        assertThat(archive.fetch(SYSTEM, WalFileName.parse("00000003.history", SEG), dir.resolve("none"))).isFalse();
        assertThat(dir.resolve("none")).doesNotExist();
    }

    @Test
    void aDamagedArchiveFileFailsVerificationAndWritesNothing() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("none"));
        WalFileName name = WalFileName.parse("000000010000000000000006", SEG);
        archive.push(SYSTEM, name, segment("d", SYSTEM, 1));
        Path stored = dir.resolve("repo").resolve(archive.find(SYSTEM, name).orElseThrow());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 1;
        Files.write(stored, bytes);
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> archive.fetch(SYSTEM, name, out))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        assertThat(out).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".arca-partial"));
        }
    }

    @Test
    void listReadsEveryArchivedFileOfOneClusterSortedByTimelineThenName() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        assertThat(archive.list(SYSTEM)).isEmpty();
        Path a = segment("a", SYSTEM, 1);
        archive.push(SYSTEM, WalFileName.parse("000000020000000000000007", SEG), segment("t2", SYSTEM, 5));
        archive.push(SYSTEM, WalFileName.parse("000000010000000100000000", SEG), segment("hi", SYSTEM, 6));
        archive.push(SYSTEM, WalFileName.parse("0000000100000000000000FF", SEG), a);
        archive.pushPartial(SYSTEM, WalFileName.parse("000000010000000100000001.partial", SEG), segment("p", SYSTEM, 7));
        archive.push(SYSTEM, WalFileName.parse("00000002.history", SEG),
                Files.writeString(dir.resolve("h"), "1\t1/1000000\tno recovery target specified\n"));
        archive.push(SYSTEM + 1, WalFileName.parse("000000010000000000000001", SEG), segment("other", SYSTEM + 1, 8));
        // what is not an archived WAL file is left out
        Files.writeString(dir.resolve("repo/wal/" + SYSTEM + "/00000001/notes.txt"), "x");
        Files.createDirectories(dir.resolve("repo/wal/" + SYSTEM + "/00000003"));
        Files.writeString(dir.resolve("repo/wal/" + SYSTEM + "/00000003/000000010000000000000009-"
                + "0".repeat(64) + ".zst"), "timeline folder and name disagree");

        List<WalArchive.Archived> listed = archive.list(SYSTEM);
        assertThat(listed).extracting(x -> x.name().name()).containsExactly("0000000100000000000000FF",
                "000000010000000100000000", "000000010000000100000001.partial", "00000002.history",
                "000000020000000000000007");
        assertThat(listed).extracting(x -> x.name().kind()).containsExactly(WalFileName.Kind.SEGMENT,
                WalFileName.Kind.SEGMENT, WalFileName.Kind.PARTIAL, WalFileName.Kind.TIMELINE_HISTORY,
                WalFileName.Kind.SEGMENT);
        assertThat(listed.get(1).name().segment()).isEqualTo(256);
        WalArchive.Archived first = listed.get(0);
        assertThat(first.key()).isEqualTo(archive.find(SYSTEM, first.name()).orElseThrow());
        java.security.MessageDigest sha = io.arca.core.pipeline.Sha256.newDigest();
        sha.update(Files.readAllBytes(a));
        assertThat(first.sha256()).isEqualTo(io.arca.core.pipeline.Sha256.hex(sha));
        // segment numbers follow the segment size asked for (and names impossible for it are left out)
        assertThat(archive.list(SYSTEM, 64L << 20)).extracting(x -> x.name().name() + "@" + x.name().segment())
                .containsExactly("000000010000000100000000@64", "000000010000000100000001.partial@65",
                        "00000002.history@-1", "000000020000000000000007@7");
    }

    @Test
    void aNewerPartialReplacesTheStoredOneAndTheCompleteSegmentRemovesIt() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        WalFileName partial = WalFileName.parse("000000010000000000000008.partial", SEG);
        WalFileName segment = WalFileName.parse("000000010000000000000008", SEG);
        Path first = segment("p1", SYSTEM, 1);
        Path second = segment("p2", SYSTEM, 2);
        assertThat(archive.pushPartial(SYSTEM, partial, first)).isEqualTo(WalArchive.Pushed.ARCHIVED);
        assertThat(archive.pushPartial(SYSTEM, partial, segment("p1again", SYSTEM, 1)))
                .isEqualTo(WalArchive.Pushed.ALREADY_ARCHIVED);
        assertThat(archive.pushPartial(SYSTEM, partial, second)).isEqualTo(WalArchive.Pushed.ARCHIVED);
        assertThat(keys()).hasSize(1);
        Path out = dir.resolve("out");
        assertThat(archive.fetch(SYSTEM, partial, out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(second));
        // the complete segment is never confused with its partial
        assertThat(archive.find(SYSTEM, segment)).isEmpty();
        assertThat(archive.fetch(SYSTEM, segment, dir.resolve("none"))).isFalse();

        // PostgreSQL archiving its own .partial (on promotion) replaces ours rather than conflicting
        Path servers = segment("p3", SYSTEM, 3);
        assertThat(archive.push(SYSTEM, partial, servers)).isEqualTo(WalArchive.Pushed.ARCHIVED);
        assertThat(keys()).hasSize(1);

        // the complete segment removes its partials, and a later partial of it is not stored
        assertThat(archive.push(SYSTEM, segment, segment("full", SYSTEM, 4))).isEqualTo(WalArchive.Pushed.ARCHIVED);
        assertThat(keys()).singleElement().asString().startsWith("000000010000000000000008-");
        assertThat(archive.pushPartial(SYSTEM, partial, first)).isEqualTo(WalArchive.Pushed.ALREADY_ARCHIVED);
        assertThat(keys()).hasSize(1);
        assertThat(archive.find(SYSTEM, partial)).isEmpty();
    }

    @Test
    void pushingTheCompleteSegmentAgainStillRemovesALeftoverPartial() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("none"));
        WalFileName segment = WalFileName.parse("000000010000000000000009", SEG);
        Path full = segment("full", SYSTEM, 1);
        archive.push(SYSTEM, segment, full);
        // a partial stored by a receiver that raced with the archiver
        Path folder = dir.resolve("repo").resolve(WalArchive.folder(SYSTEM, segment.timeline()));
        Files.writeString(folder.resolve("000000010000000000000009.partial-" + "a".repeat(64)), "leftover");
        assertThat(archive.push(SYSTEM, segment, full)).isEqualTo(WalArchive.Pushed.ALREADY_ARCHIVED);
        assertThat(keys()).singleElement().asString().startsWith("000000010000000000000009-");
    }

    @Test
    void findTakesTheNewestOfTwoPartialsAndStillRefusesTwoSegments() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("none"));
        WalFileName partial = WalFileName.parse("00000001000000000000000A.partial", SEG);
        archive.pushPartial(SYSTEM, partial, segment("p", SYSTEM, 1));
        String newest = archive.find(SYSTEM, partial).orElseThrow();
        Path folder = dir.resolve("repo").resolve(WalArchive.folder(SYSTEM, partial.timeline()));
        Path older = Files.writeString(folder.resolve("00000001000000000000000A.partial-" + "0".repeat(64)), "older");
        Files.setLastModifiedTime(older, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        assertThat(archive.find(SYSTEM, partial)).contains(newest);

        WalFileName segment = WalFileName.parse("00000001000000000000000B", SEG);
        archive.push(SYSTEM, segment, segment("s", SYSTEM, 2));
        Files.writeString(folder.resolve("00000001000000000000000B-" + "0".repeat(64)), "other");
        assertThatThrownBy(() -> archive.find(SYSTEM, segment))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_CONFLICT));
    }

    @Test
    void pushPartialChecksItsNameAndCluster() throws IOException {
        WalArchive archive = new WalArchive(repo, CodecSpec.parse("zstd"));
        assertThatThrownBy(() -> archive.pushPartial(SYSTEM, WalFileName.parse("00000001000000000000000C", SEG),
                segment("s", SYSTEM, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> archive.pushPartial(SYSTEM, WalFileName.parse("00000001000000000000000C.partial", SEG),
                segment("x", SYSTEM + 1, 1)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_SYSTEM_MISMATCH));
        assertThat(keys()).isEmpty();
    }

    /** The file names stored in the archive of {@link #SYSTEM}, all timelines. */
    private List<String> keys() throws IOException {
        Path root = dir.resolve("repo").resolve("wal").resolve(Long.toUnsignedString(SYSTEM));
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A fake segment: random, compressible-ish content with a first page header naming {@code system}. */
    private Path segment(String file, long system, int variant) throws IOException {
        byte[] data = new byte[1 << 20];
        Random random = new Random(SEED + variant);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + i % 7);
        }
        ByteBuffer.wrap(data, 24, 8).order(ByteOrder.nativeOrder()).putLong(system);
        return Files.write(dir.resolve(file), data);
    }
}
