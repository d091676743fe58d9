package io.arca.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import io.arca.core.BulkInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An object (or a range of it, set on the channel) read through the library's read channel. The
 * first bytes are read when the stream is opened, so that a missing object fails
 * {@link GcsStorage#openRead} rather than the first read. Failures of the service are the storage
 * contract's unchecked errors; reading a closed stream is an {@link IOException}.
 */
final class GcsInputStream extends BulkInputStream {
    private static final int FIRST_READ = 8 * 1024;
    /** What the service answers for a range that starts at or past the end. */
    private static final int RANGE_NOT_SATISFIABLE = 416;

    private final GcsStorage storage;
    private final String key;
    private final ReadChannel channel;
    private final ByteBuffer first;
    private boolean ended;
    private boolean closed;

    private GcsInputStream(GcsStorage storage, String key, ReadChannel channel, ByteBuffer first, boolean ended) {
        this.storage = storage;
        this.key = key;
        this.channel = channel;
        this.first = first;
        this.ended = ended;
    }

    /** Opens the stream, reading its first bytes. */
    static GcsInputStream open(GcsStorage storage, String key, ReadChannel channel) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(FIRST_READ);
        boolean ended = false;
        while (first.position() == 0 && !ended) {
            ended = readInto(channel, first) < 0;
        }
        first.flip();
        return new GcsInputStream(storage, key, channel, first, ended);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0;
        }
        if (first.hasRemaining()) {
            int n = Math.min(len, first.remaining());
            first.get(b, off, n);
            return n;
        }
        ByteBuffer target = ByteBuffer.wrap(b, off, len);
        try {
            while (!ended && target.position() == off) {
                ended = readInto(channel, target) < 0;
            }
        } catch (IOException | BaseServiceException e) {
            throw storage.readFailure(key, e);
        }
        int n = target.position() - off;
        return n == 0 ? -1 : n;
    }

    @Override
    public int available() throws IOException {
        checkOpen();
        return first.remaining();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    /** Reads what the channel has; -1 at the end, including a range past the end of the object. */
    private static int readInto(ReadChannel channel, ByteBuffer target) throws IOException {
        try {
            return channel.read(target);
        } catch (IOException | BaseServiceException e) {
            BaseServiceException service = e instanceof BaseServiceException s ? s
                    : e.getCause() instanceof BaseServiceException s ? s : null;
            if (service != null && service.getCode() == RANGE_NOT_SATISFIABLE) {
                return -1;
            }
            throw e;
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("stream of '" + key + "' is closed");
        }
    }
}
