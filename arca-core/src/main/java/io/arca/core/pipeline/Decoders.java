package io.arca.core.pipeline;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import net.jpountz.lz4.LZ4FrameInputStream;

/**
 * Streaming decoders for concatenated frames, one per codec. Each checks what its container
 * carries (zstd and lz4 content checksums, gzip CRC-32) and fails with an {@link IOException} on a
 * corrupt or truncated frame or on trailing data that is not a frame. Empty input decodes to
 * nothing, so that a seek point may sit at the very end of an artifact.
 */
final class Decoders {
    private Decoders() {
    }

    static InputStream open(Codec codec, InputStream stored) throws IOException {
        return switch (codec) {
            // Not continuous mode: that mode would accept a frame cut short. Multiple frames are read in
            // sequence either way.
            case ZSTD -> new ZstdInputStreamNoFinalizer(stored);
            case GZIP -> new GzipMembersInputStream(stored);
            case LZ4 -> openLz4(stored);
            case NONE -> stored;
        };
    }

    private static InputStream openLz4(InputStream stored) throws IOException {
        // LZ4FrameInputStream reads every concatenated frame but rejects empty input.
        PushbackInputStream in = new PushbackInputStream(stored, 1);
        int first = in.read();
        if (first < 0) {
            return in;
        }
        in.unread(first);
        return new LZ4FrameInputStream(in);
    }
}
