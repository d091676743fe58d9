package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelFileWriterTest {
    private static final int CHUNK = 64 * 1024;

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void everyFileHasItsExactContentAndIsFinishedOnceAfterItsLastByte(boolean direct, @TempDir Path dir) throws Exception {
        // sizes around the chunk and block boundaries, and files of many chunks written by several threads at once
        int[] sizes = {0, 1, 511, 4095, 4096, 8192, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 40 * CHUNK, 40 * CHUNK + 8191};
        Random random = new Random(42);
        Map<Path, byte[]> expected = new ConcurrentHashMap<>();
        Map<Path, Long> sizeWhenFinished = new ConcurrentHashMap<>();
        AtomicInteger finishes = new AtomicInteger();
        try (ParallelFileWriter writer = new ParallelFileWriter(3, CHUNK, 4, direct)) {
            for (int round = 0; round < 3; round++) {
                for (int size : sizes) {
                    byte[] content = new byte[size];
                    random.nextBytes(content);
                    Path file = dir.resolve("f" + round + "_" + size);
                    expected.put(file, content);
                    long n = writer.write(new TrickleInputStream(content), file, false, () -> {
                        finishes.incrementAndGet();
                        sizeWhenFinished.put(file, Files.size(file));
                    });
                    assertThat(n).isEqualTo(size);
                }
            }
            writer.await();
        }
        assertThat(finishes).hasValue(expected.size());
        for (Map.Entry<Path, byte[]> e : expected.entrySet()) {
            assertThat(Files.readAllBytes(e.getKey())).as(e.getKey().toString()).isEqualTo(e.getValue());
            // the padding of a direct write is cut off before the finish action sees the file
            assertThat(sizeWhenFinished.get(e.getKey())).isEqualTo(e.getValue().length);
        }
    }

    @Test
    void aFileWhoseContentCannotBeReadIsNotFinishedAndATemporaryOneIsDeleted(@TempDir Path dir) throws Exception {
        byte[] good = new byte[5 * CHUNK];
        new Random(1).nextBytes(good);
        List<Path> finished = new ArrayList<>();
        try (ParallelFileWriter writer = new ParallelFileWriter(2, CHUNK, 4, true)) {
            Path temporary = dir.resolve("broken.arca-tmp");
            assertThatThrownBy(() -> writer.write(new FailingInputStream(3 * CHUNK), temporary, true,
                    () -> finished.add(temporary))).isInstanceOf(IOException.class).hasMessage("damaged");
            Path ok = dir.resolve("ok");
            writer.write(new ByteArrayInputStream(good), ok, false, () -> finished.add(ok));
            writer.await();
            assertThat(finished).containsExactly(ok);
            assertThat(temporary).doesNotExist();
            assertThat(Files.readAllBytes(ok)).isEqualTo(good);
        }
    }

    @Test
    void aFileThatCannotBeCreatedIsNamed(@TempDir Path dir) {
        Path nowhere = dir.resolve("missing/dir/file");
        try (ParallelFileWriter writer = new ParallelFileWriter(2, CHUNK, 4, true)) {
            assertThatThrownBy(() -> writer.write(new ByteArrayInputStream(new byte[10]), nowhere, false, () -> { }))
                    .isInstanceOf(ArcaException.class)
                    .hasMessageContaining("cannot write '" + nowhere + "'")
                    .hasMessageContaining("no such file or directory");
        }
    }

    @Test
    void aWriterThatFailsStopsTheRestAndTheReaderHearsOfIt(@TempDir Path dir) throws Exception {
        // /dev/full refuses every write with ENOSPC (and direct I/O, so this also takes the buffered path)
        Path full = Path.of("/dev/full");
        assertThat(full).as("this test needs /dev/full").exists();
        List<Path> finished = new ArrayList<>();
        try (ParallelFileWriter writer = new ParallelFileWriter(2, CHUNK, 4, true)) {
            assertThatThrownBy(() -> {
                writer.write(new ByteArrayInputStream(new byte[3 * CHUNK]), full, false, () -> finished.add(full));
                for (int i = 0; i < 100; i++) {
                    Path later = dir.resolve("later" + i);
                    writer.write(new ByteArrayInputStream(new byte[CHUNK]), later, false, () -> finished.add(later));
                }
                writer.await();
            }).isInstanceOfSatisfying(ArcaException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
                assertThat(e.getMessage()).startsWith("cannot write '/dev/full'").containsIgnoringCase("space");
            });
        }
        assertThat(finished).doesNotContain(full);
    }

    /** Hands out at most 1000 bytes per read, so chunks are filled from many reads. */
    private static final class TrickleInputStream extends ByteArrayInputStream {
        TrickleInputStream(byte[] content) {
            super(content);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1000));
        }
    }

    /** {@code good} bytes, then an IOException. */
    private static final class FailingInputStream extends InputStream {
        private long left;

        FailingInputStream(long good) {
            left = good;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                throw new IOException("damaged");
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
        }
    }
}
