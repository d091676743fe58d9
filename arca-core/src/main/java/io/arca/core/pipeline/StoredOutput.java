package io.arca.core.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** The encoded side of an artifact: counts and digests the bytes on their way to storage. */
final class StoredOutput extends OutputStream {
    private final OutputStream target;
    private final MessageDigest sha256 = Sha256.newDigest();
    private long size;

    StoredOutput(OutputStream target) {
        this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
        target.write(b);
        sha256.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        target.write(b, off, len);
        sha256.update(b, off, len);
        size += len;
    }

    /** Bytes passed to storage so far: the offset at which the next byte will be stored. */
    long size() {
        return size;
    }

    /** Lower-case hex SHA-256 of everything written; call once, at the end. */
    String sha256Hex() {
        return Sha256.hex(sha256);
    }
}
