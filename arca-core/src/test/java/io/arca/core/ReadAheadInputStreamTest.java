package io.arca.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The read-ahead stream passes every byte in order, then the source's failure as it was, and closes the source. */
class ReadAheadInputStreamTest {

    @Test
    void passesEveryByteInOrderWhateverTheReadSizes() throws IOException {
        byte[] data = new byte[3 * 1000 * 1000 + 17];
        new Random(7).nextBytes(data);
        for (int bufferSize : new int[] {997, 65536, 1 << 20}) {
            try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 3, bufferSize)) {
                byte[] out = new byte[data.length];
                int pos = 0;
                int step = 1;
                int n;
                while ((n = in.read(out, pos, Math.min(step, out.length - pos))) > 0) {
                    pos += n;
                    step = step * 3 % 100_003 + 1;
                }
                assertThat(pos).isEqualTo(data.length);
                assertThat(out).isEqualTo(data);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void theSourcesFailureComesAfterTheBytesBeforeIt() throws IOException {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3}), new InputStream() {
            @Override
            public int read() {
                throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "damaged", "hint");
            }
        });
        try (InputStream in = new ReadAheadInputStream(failing, 2, 1)) {
            assertThat(in.read()).isEqualTo(1);
            assertThat(in.read()).isEqualTo(2);
            assertThat(in.read()).isEqualTo(3);
            assertThatThrownBy(in::read).isInstanceOfSatisfying(ArcaException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        }
    }

    @Test
    void closingEarlyClosesTheSource() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        InputStream in = new ReadAheadInputStream(endless, 2, 4096);
        assertThat(in.read()).isZero();
        in.close();
        assertThat(closed).isTrue();
    }
}
