package io.arca.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads its source on a thread of its own, a few buffers ahead of the reader, so that producing
 * the bytes (fetching, decrypting, decompressing) and consuming them (parsing, checking, writing
 * files) use two cores instead of taking turns on one. Memory is bounded and allocated once:
 * {@code buffers + 2} buffers of {@code bufferSize} bytes, handed back and forth. A failure of the source (IOException or a runtime
 * exception such as ArcaException) is rethrown to the reader as it was, after the bytes read before
 * it. Closing stops the thread and closes the source. Not thread-safe for several readers.
 */
public final class ReadAheadInputStream extends InputStream {
    private static final byte[] END = new byte[0];

    private final InputStream source;
    private final BlockingQueue<Object> filled;
    /** Buffers the reader has finished with, for the source thread to fill again: no garbage per chunk. */
    private final BlockingQueue<byte[]> free;
    private final Thread reader;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int currentLength;
    private int position;
    private boolean ended;

    public ReadAheadInputStream(InputStream source, int buffers, int bufferSize) {
        if (buffers < 1 || bufferSize < 1) {
            throw new IllegalArgumentException("buffers and bufferSize must be positive");
        }
        this.source = source;
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        // one buffer being filled, up to buffers waiting, one being read
        this.free = new ArrayBlockingQueue<>(buffers + 2);
        for (int i = 0; i < buffers + 2; i++) {
            free.add(new byte[bufferSize]);
        }
        this.reader = new Thread(() -> fill(bufferSize), "arca-read-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    /** A chunk of bytes from the source: its array and how much of it is filled. */
    private record Chunk(byte[] bytes, int length) {
    }

    private void fill(int bufferSize) {
        try {
            while (!closed) {
                byte[] b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    continue;
                }
                int n = source.readNBytes(b, 0, bufferSize);
                if (n > 0) {
                    put(new Chunk(b, n));
                }
                if (n < bufferSize) {
                    put(END);
                    return;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                put(e);
            } catch (InterruptedException interrupted) {
                // closed while failing: nobody reads any more
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void put(Object item) throws InterruptedException {
        while (!closed) {
            if (filled.offer(item, 100, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (position == currentLength) {
            if (ended) {
                return -1;
            }
            Object next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            if (next == END) {
                ended = true;
                return -1;
            }
            if (next instanceof IOException e) {
                ended = true;
                throw e;
            }
            if (next instanceof RuntimeException e) {
                ended = true;
                throw e;
            }
            if (next instanceof Error e) {
                ended = true;
                throw e;
            }
            Chunk c = (Chunk) next;
            if (currentLength > 0) {
                free.offer(current);
            }
            current = c.bytes();
            currentLength = c.length();
            position = 0;
        }
        int n = Math.min(len, currentLength - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        filled.clear();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        current = new byte[0];
        try {
            source.close();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
