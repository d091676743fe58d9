package io.arca.core.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A pending object. Bytes written are invisible until {@link #commit()} publishes them atomically.
 * {@link #close()} after commit does nothing; {@link #close()} before commit aborts the write and
 * removes every trace of it. Writing or committing after commit or abort raises
 * {@link IllegalStateException}.
 *
 * <p>A commit that throws also finishes the writer and removes its temporary data. Only after a
 * {@link StorageTransientException} is it unknown whether the object was published; any other
 * error means it was not.
 *
 * <p>Use it in try-with-resources and call {@code commit()} as the last statement in the block, so
 * that any exception aborts.
 */
public abstract class StorageWriter extends OutputStream {

    /** Writes one byte through {@link #write(byte[], int, int)}, the one write path of every writer. */
    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Publishes the object durably and atomically and returns what was stored. */
    public abstract ObjectInfo commit();

    /** Aborts unless committed. Never throws for an abort. */
    @Override
    public abstract void close();
}
