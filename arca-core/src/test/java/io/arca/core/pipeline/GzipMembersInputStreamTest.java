package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/** Header fields other gzip writers use, which neither our encoder nor {@code gzip -c} produce. */
class GzipMembersInputStreamTest {

    @Test
    void skipsExtraNameCommentAndHeaderCrc() throws Exception {
        byte[] first = "first member\n".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "second member\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        stored.write(member(first, true));
        stored.write(member(second, false));

        try (GzipMembersInputStream in = new GzipMembersInputStream(new ByteArrayInputStream(stored.toByteArray()))) {
            assertThat(new String(TestData.readAll(in), StandardCharsets.US_ASCII))
                    .isEqualTo("first member\nsecond member\n");
        }
    }

    @Test
    void rejectsTrailingBytesThatAreNotAMember() throws Exception {
        byte[] data = member("data".getBytes(StandardCharsets.US_ASCII), false);
        byte[] withGarbage = Arrays.copyOf(data, data.length + 4);
        assertThatThrownBy(() -> TestData.readAll(new GzipMembersInputStream(new ByteArrayInputStream(withGarbage))))
                .isInstanceOf(ZipException.class).hasMessage("not in gzip format");
    }

    @Test
    void rejectsATruncatedMember() throws Exception {
        byte[] data = member("data".getBytes(StandardCharsets.US_ASCII), true);
        for (int cut = 1; cut < data.length; cut++) {
            byte[] truncated = Arrays.copyOf(data, cut);
            assertThatThrownBy(() -> TestData.readAll(new GzipMembersInputStream(new ByteArrayInputStream(truncated))))
                    .as("cut at %d", cut).isInstanceOf(EOFException.class);
        }
    }

    /** A member with every optional header field when {@code allFields}, none otherwise. */
    private static byte[] member(byte[] plain, boolean allFields) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int flags = allFields ? 2 | 4 | 8 | 16 : 0;
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
        if (allFields) {
            out.write(new byte[] {5, 0, 'a', 'b', 'c', 'd', 'e'});
            out.write("name.dump\0".getBytes(StandardCharsets.US_ASCII));
            out.write("a comment\0".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0x12, 0x34});
        }
        Deflater deflater = new Deflater(6, true);
        deflater.setInput(plain);
        deflater.finish();
        byte[] buffer = new byte[1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(plain);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, plain.length);
        return out.toByteArray();
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
