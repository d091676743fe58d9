package io.arca.s3;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Part buffers a store keeps between writes, so that one write after another reuses them instead
 * of allocating and zeroing megabytes each time (and leaving the garbage collector that much).
 * Holds at most {@code capacity} buffers of the configured part size; others are not kept.
 */
final class PartBufferPool {
    private final int size;
    private final BlockingQueue<byte[]> free;

    PartBufferPool(int size, int capacity) {
        this.size = size;
        this.free = new ArrayBlockingQueue<>(capacity);
    }

    /** A kept buffer of {@code wanted} bytes, or null when there is none. */
    byte[] take(int wanted) {
        return wanted == size ? free.poll() : null;
    }

    /** Keeps a buffer no write uses any more, if it has the part size and there is room. */
    void give(byte[] buffer) {
        if (buffer != null && buffer.length == size) {
            free.offer(buffer);
        }
    }
}
