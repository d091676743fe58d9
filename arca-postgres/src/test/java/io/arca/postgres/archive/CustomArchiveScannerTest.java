package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CustomArchiveScannerTest {

    private static final long BASE_SEED = 0x5eed_a7ca_0001L;

    static LongStream seeds() {
        return LongStream.range(0, 25).map(i -> BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void forwardsEveryByteAndFindsEachBlock(long seed) throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample();
        byte[] bytes = archive.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingListener listener = new RecordingListener(out);
        CustomArchiveScanner scanner = new CustomArchiveScanner(out, listener);

        ArchiveWrites.inRandomPieces(bytes, scanner, new Random(seed), 700);
        scanner.close();

        assertThat(out.toByteArray()).as("seed %d", seed).isEqualTo(bytes);
        assertThat(scanner.toc()).hasValueSatisfying(t -> assertThat(t.length()).isEqualTo(archive.tocLength()));
        assertBlocksMatch(scanner, archive, listener);
    }

    @Test
    void handlesByteAtATimeWritesAndEightByteIntegers() throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample().intSize(8);
        byte[] bytes = archive.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingListener listener = new RecordingListener(out);
        CustomArchiveScanner scanner = new CustomArchiveScanner(out, listener);

        for (byte b : bytes) {
            scanner.write(b);
        }
        scanner.finish();

        assertThat(out.toByteArray()).isEqualTo(bytes);
        assertBlocksMatch(scanner, archive, listener);
        assertThat(scanner.position()).isEqualTo(bytes.length);
    }

    @Test
    void passesAWholeArchiveInOneWrite() throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample();
        byte[] bytes = archive.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingListener listener = new RecordingListener(out);
        try (CustomArchiveScanner scanner = new CustomArchiveScanner(out, listener)) {
            scanner.write(bytes);
            scanner.finish();
            assertBlocksMatch(scanner, archive, listener);
        }
        assertThat(out.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void detectsAnArchiveCutAnywhere() throws IOException {
        byte[] bytes = SyntheticArchive.sample().bytes();
        for (int cut = 0; cut < bytes.length; cut++) {
            CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
            scanner.write(bytes, 0, cut);
            int at = cut;
            assertThatThrownBy(scanner::finish).as("cut at %d", cut)
                    .isInstanceOfSatisfying(ArcaException.class,
                            e -> assertThat(e.code()).as("cut at %d", at).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        }
    }

    @Test
    void namesWhatWasCut() throws IOException {
        SyntheticArchive archive = SyntheticArchive.sample();
        byte[] bytes = archive.bytes();
        int insideFirstBlock = (int) archive.tocLength() + 100;
        CustomArchiveScanner inside = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        inside.write(bytes, 0, insideFirstBlock);
        assertThatThrownBy(inside::finish).hasMessage(
                "archive ends inside the data of entry 30 TABLE DATA public.t1 after " + insideFirstBlock + " bytes");

        int beforeLast = bytes.length - archive.blocks().get(33).length;
        CustomArchiveScanner between = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        between.write(bytes, 0, beforeLast);
        assertThatThrownBy(between::finish).hasMessage(
                "archive ends after " + beforeLast + " bytes, before the data of 1 entry (33 BLOBS BLOBS)");
    }

    @Test
    void refusesAPlainSqlScriptBeforeForwardingAnything() {
        byte[] sql = "--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CustomArchiveScanner scanner = new CustomArchiveScanner(out, null);

        assertThatThrownBy(() -> scanner.write(sql)).isInstanceOf(ArcaException.class)
                .hasMessage("input is a plain SQL script, not a pg_dump archive");
        assertThat(out.size()).isZero();
        assertThatThrownBy(() -> scanner.write(sql)).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
    }

    @Test
    void refusesADirectoryTocFile() {
        byte[] tocDat = SyntheticArchive.sample().formatCode(ArchiveFormat.TAR.code()).tocBytes();
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        assertThatThrownBy(() -> scanner.write(tocDat)).isInstanceOf(ArcaException.class)
                .hasMessage("archive header says format tar, expected custom");
    }

    @Test
    void rejectsMalformedBlocks() {
        SyntheticArchive archive = SyntheticArchive.sample();
        int toc = (int) archive.tocLength();
        byte[] good = archive.bytes();

        byte[] badType = good.clone();
        badType[toc] = 2;
        assertRejected(badType, "archive has a data block of unknown type 2 at offset " + toc);

        byte[] unknownId = good.clone();
        unknownId[toc + 2] = 99;
        assertRejected(unknownId, "archive has a data block for entry 99, which has no data in the table of contents");

        byte[] negativeChunk = good.clone();
        negativeChunk[toc + 6] = 1;
        assertRejected(negativeChunk, "archive has a data chunk of invalid length -100");

        byte[] twice = concat(good, archive.blocks().get(31));
        assertRejected(twice, "archive has a second data block for entry 31");

        byte[] wrongType = good.clone();
        wrongType[toc] = CustomArchiveScanner.BLK_BLOBS;
        assertRejected(wrongType, "archive has a data block of type 3 for entry 30 TABLE DATA public.t1");
    }

    @Test
    void stopsWhenTheListenerFails() throws IOException {
        byte[] bytes = SyntheticArchive.sample().bytes();
        AtomicBoolean called = new AtomicBoolean();
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(),
                new CustomArchiveScanner.Listener() {
                    @Override
                    public void blockStarting(int dumpId, int blockType, long offset) throws IOException {
                        called.set(true);
                        throw new IOException("storage gone");
                    }
                });
        assertThatThrownBy(() -> scanner.write(bytes)).isInstanceOf(IOException.class).hasMessage("storage gone");
        assertThat(called).isTrue();
        assertThatThrownBy(scanner::finish).isInstanceOf(IOException.class);
        scanner.close();
    }

    @Test
    void readsLargeObjectsWithOidsAboveTwoToThe31() throws IOException {
        Map<Long, List<byte[]>> los = new LinkedHashMap<>();
        los.put(4_294_967_295L, List.of(SyntheticArchive.bytes(10, 1)));
        los.put(2_147_483_648L, List.of(SyntheticArchive.bytes(20, 2)));
        SyntheticArchive archive = new SyntheticArchive().entry(SyntheticArchive.Entry.blobs(7)).blobsBlock(7, los);
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        scanner.write(archive.bytes());
        scanner.finish();
        assertThat(scanner.blocks()).containsExactly(new CustomArchiveScanner.DataBlock(7, CustomArchiveScanner.BLK_BLOBS,
                archive.tocLength(), archive.blocks().get(7).length, 2, 20));
    }

    private static void assertRejected(byte[] bytes, String message) {
        CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null);
        assertThatThrownBy(() -> {
            scanner.write(bytes);
            scanner.finish();
        }).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).startsWith(message);
        });
    }

    private static void assertBlocksMatch(CustomArchiveScanner scanner, SyntheticArchive archive,
            RecordingListener listener) {
        long offset = archive.tocLength();
        List<CustomArchiveScanner.DataBlock> blocks = scanner.blocks();
        assertThat(blocks).extracting(CustomArchiveScanner.DataBlock::dumpId).containsExactly(30, 31, 33);
        for (CustomArchiveScanner.DataBlock b : blocks) {
            assertThat(b.offset()).isEqualTo(offset);
            assertThat(b.length()).isEqualTo(archive.blocks().get(b.dumpId()).length);
            assertThat(b.type()).isEqualTo(b.dumpId() == 33 ? CustomArchiveScanner.BLK_BLOBS : CustomArchiveScanner.BLK_DATA);
            offset += b.length();
        }
        assertThat(offset).isEqualTo(archive.bytes().length);
        // Every call came before the first byte of what it announces reached the downstream stream.
        assertThat(listener.events).containsExactly(
                new RecordingListener.Event(0, 0, archive.tocLength(), archive.tocLength()),
                new RecordingListener.Event(30, 1, blocks.get(0).offset(), blocks.get(0).offset()),
                new RecordingListener.Event(31, 1, blocks.get(1).offset(), blocks.get(1).offset()),
                new RecordingListener.Event(33, 3, blocks.get(2).offset(), blocks.get(2).offset()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
