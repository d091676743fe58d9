package io.arca.core.wal;

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
import java.time.Clock;
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
