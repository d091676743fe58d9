package io.arca.postgres.replication;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Frames protocol-3.0 messages over a connected transport: reads one message header at a time
 * and lets the caller either take the whole (small) body or stream a large one (CopyData) into
 * its own buffer, so that archive data is never held in memory beyond the read buffer.
 *
 * <p>The read buffer is a direct buffer: once {@link #readFrom(ReadableByteChannel)} hands it the
 * socket's channel (plain TCP or a Unix-domain socket, after authentication), the kernel copies
 * straight into it and a body read is the only copy on our side. A socket's stream would copy
 * once more through the JDK's own temporary direct buffer. Until then, and under TLS, it reads
 * the transport's stream, which honours the connect-time read timeout.
 *
 * <p>Not thread-safe; {@link #close()} may be called from another thread to abort a blocked read.
 */
final class PgWire implements Closeable {

    /** The read buffer: body reads of at least this much, with nothing buffered, bypass it. */
    static final int READ_BUFFER = 128 * 1024;
    // Bodies other than streamed CopyData (result rows, errors, auth) are small; a larger length
    // means the stream is corrupt or not PostgreSQL.
    private static final int MAX_BODY = 64 * 1024 * 1024;

    private final Closeable transport;
    private final InputStream in;
    private final OutputStream out;
    /** Unread bytes between position and limit. */
    private final ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER).flip();
    private byte[] streamChunk;
    private ReadableByteChannel channel;
    private int type = -1;
    private int remaining;

    PgWire(InputStream in, OutputStream out, Closeable transport) {
        this.in = in;
        this.out = new BufferedOutputStream(out, 8192);
        this.transport = transport;
    }

    /**
     * Reads from {@code channel} from now on instead of the stream: the same connection without
     * the stream's copy (and without its read timeout). What is buffered stays.
     */
    void readFrom(ReadableByteChannel channel) {
        this.channel = channel;
        this.streamChunk = null;
    }

    /**
     * Skips what is left of the current message and reads the next one's header.
     *
     * @return the message type byte
     * @throws EOFException when the server closed the connection
     */
    int next() throws IOException {
        skipRemaining();
        if (!buf.hasRemaining() && !fill()) {
            throw new EOFException("the server closed the connection");
        }
        while (buf.remaining() < 5) {
            if (!fill()) {
                throw new EOFException("the server closed the connection in the middle of a message");
            }
        }
        int t = buf.get() & 0xFF;
        int length = buf.getInt();
        if (length < 4) {
            throw new ProtocolException("invalid length " + length + " of a message of type '" + (char) t + "'");
        }
        type = t;
        remaining = length - 4;
        return t;
    }

    /** The current message's type. */
    int type() {
        return type;
    }

    /** Bytes of the current message's body not read yet. */
    int remaining() {
        return remaining;
    }

    /** Bytes received and not read yet: what can be read without waiting for the server. */
    int buffered() {
        return buf.remaining();
    }

    /** The rest of the current message's body. */
    Body body() throws IOException {
        if (remaining > MAX_BODY) {
            throw new ProtocolException("message of type '" + (char) type + "' is too long (" + remaining + " bytes)");
        }
        byte[] b = new byte[remaining];
        int at = 0;
        while (at < b.length) {
            at += read(b, at, b.length - at);
        }
        return new Body(b);
    }

    /** Reads up to {@code len} bytes of the current message's body; -1 when it is exhausted. */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int want = Math.min(len, remaining);
        int n;
        if (!buf.hasRemaining() && want >= READ_BUFFER) {
            // a large read with nothing buffered goes straight into the caller's array
            n = channel != null ? channel.read(ByteBuffer.wrap(b, off, want)) : in.read(b, off, want);
            if (n < 0) {
                throw new EOFException("the server closed the connection in the middle of a message");
            }
        } else {
            if (!buf.hasRemaining() && !fill()) {
                throw new EOFException("the server closed the connection in the middle of a message");
            }
            n = Math.min(want, buf.remaining());
            buf.get(b, off, n);
        }
        remaining -= n;
        return n;
    }

    /** Reads one byte of the current message's body; -1 when it is exhausted. */
    int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        if (!buf.hasRemaining() && !fill()) {
            throw new EOFException("the server closed the connection in the middle of a message");
        }
        remaining--;
        return buf.get() & 0xFF;
    }

    void skipRemaining() throws IOException {
        while (remaining > 0) {
            if (!buf.hasRemaining() && !fill()) {
                throw new EOFException("the server closed the connection in the middle of a message");
            }
            int n = Math.min(remaining, buf.remaining());
            buf.position(buf.position() + n);
            remaining -= n;
        }
    }

    /**
     * Appends what the transport has (at least one byte, waiting for it) to the unread bytes.
     *
     * @return false at the end of the stream
     */
    private boolean fill() throws IOException {
        buf.compact();
        try {
            int n;
            do {
                if (channel != null) {
                    n = channel.read(buf);
                } else {
                    if (streamChunk == null) {
                        streamChunk = new byte[16 * 1024];
                    }
                    n = in.read(streamChunk, 0, Math.min(streamChunk.length, buf.remaining()));
                    // then what the stream has without waiting, as a channel read would take it
                    for (int more = n; more > 0; ) {
                        buf.put(streamChunk, 0, more);
                        more = buf.hasRemaining() && in.available() > 0
                                ? in.read(streamChunk, 0, Math.min(streamChunk.length, buf.remaining())) : 0;
                    }
                }
            } while (n == 0);
            return n > 0;
        } finally {
            buf.flip();
        }
    }

    /** Writes and flushes complete messages. */
    void send(byte[]... messages) throws IOException {
        for (byte[] m : messages) {
            out.write(m);
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    // ---- building messages ---------------------------------------------------------------

    /** A frontend message: type byte (0 for none, as in the startup packet), length, body. */
    static final class Builder {
        private final int type;
        private byte[] buf = new byte[64];
        private int len;

        Builder(int type) {
            this.type = type;
        }

        Builder int8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
            return this;
        }

        Builder int16(int v) {
            return int8(v >>> 8).int8(v);
        }

        Builder int32(int v) {
            return int8(v >>> 24).int8(v >>> 16).int8(v >>> 8).int8(v);
        }

        Builder bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        Builder cstring(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                if (x == 0) {
                    throw new IllegalArgumentException("a protocol string cannot contain a NUL character");
                }
            }
            return bytes(b).int8(0);
        }

        byte[] build() {
            int header = type == 0 ? 4 : 5;
            byte[] m = new byte[header + len];
            int at = 0;
            if (type != 0) {
                m[at++] = (byte) type;
            }
            int length = len + 4;
            m[at++] = (byte) (length >>> 24);
            m[at++] = (byte) (length >>> 16);
            m[at++] = (byte) (length >>> 8);
            m[at++] = (byte) length;
            System.arraycopy(buf, 0, m, at, len);
            return m;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }
    }

    // ---- parsing bodies ------------------------------------------------------------------

    /** A message body being parsed front to back. */
    static final class Body {
        private final byte[] b;
        private int pos;

        Body(byte[] b) {
            this.b = b;
        }

        int remaining() {
            return b.length - pos;
        }

        int int8() throws ProtocolException {
            need(1);
            return b[pos++] & 0xFF;
        }

        int int16() throws ProtocolException {
            need(2);
            int v = (b[pos] & 0xFF) << 8 | b[pos + 1] & 0xFF;
            pos += 2;
            return v;
        }

        int int32() throws ProtocolException {
            need(4);
            int v = (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
            pos += 4;
            return v;
        }

        long int64() throws ProtocolException {
            long hi = int32() & 0xFFFFFFFFL;
            long lo = int32() & 0xFFFFFFFFL;
            return hi << 32 | lo;
        }

        byte[] bytes(int n) throws ProtocolException {
            if (n < 0) {
                throw new ProtocolException("negative length " + n);
            }
            need(n);
            byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return r;
        }

        byte[] rest() {
            byte[] r = java.util.Arrays.copyOfRange(b, pos, b.length);
            pos = b.length;
            return r;
        }

        String cstring() throws ProtocolException {
            int end = pos;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            if (end == b.length) {
                throw new ProtocolException("unterminated string");
            }
            String s = new String(b, pos, end - pos, StandardCharsets.UTF_8);
            pos = end + 1;
            return s;
        }

        private void need(int n) throws ProtocolException {
            if (b.length - pos < n) {
                throw new ProtocolException("message shorter than its fields");
            }
        }
    }

    /** The server sent something protocol 3.0 does not allow here. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
