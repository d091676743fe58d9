package io.arca.core.pipeline;

import java.io.IOException;
import java.io.OutputStream;

/** Codec {@code none}: stored bytes are the plain bytes; every offset is a boundary. */
final class PassThroughEncoder implements Encoder {
    private final OutputStream sink;

    PassThroughEncoder(OutputStream sink) {
        this.sink = sink;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        sink.write(b, off, len);
    }

    @Override
    public void endFrame() {
    }

    @Override
    public void finish() {
    }

    @Override
    public void close() {
    }
}
