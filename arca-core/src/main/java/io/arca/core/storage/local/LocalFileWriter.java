package io.arca.core.storage.local;

import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;

/** A write to a temporary file of a {@link LocalFileStorage}, published by {@link #commit()}. */
final class LocalFileWriter extends StorageWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    private static final int BUFFER_SIZE = 64 * 1024;

    private final LocalFileStorage storage;
    private final String key;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private final WriteOptions.Mode mode;
    private State state = State.OPEN;

    LocalFileWriter(LocalFileStorage storage, String key, Path target, Path temp, FileChannel channel,
            WriteOptions.Mode mode) {
        this.storage = storage;
        this.key = key;
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
        this.mode = mode;
    }

    @Override
    public void write(int b) {
        checkOpen("write to");
        try {
            out.write(b);
        } catch (IOException e) {
            throw storage.failure("write", key, temp, e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen("write to");
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw storage.failure("write", key, temp, e);
        }
    }

    @Override
    public void flush() {
        checkOpen("flush");
        try {
            out.flush();
        } catch (IOException e) {
            throw storage.failure("write", key, temp, e);
        }
    }

    @Override
    public ObjectInfo commit() {
        checkOpen("commit");
        // finished whatever happens below: a failed commit has removed its temporary file
        state = State.ABORTED;
        try {
            out.flush();
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            LocalFileStorage.closeQuietly(channel);
            LocalFileStorage.deleteQuietly(temp);
            throw storage.failure("write", key, temp, e);
        }
        ObjectInfo info = storage.publish(key, temp, target, mode);
        state = State.COMMITTED;
        return info;
    }

    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        LocalFileStorage.closeQuietly(channel);
        LocalFileStorage.deleteQuietly(temp);
    }

    private void checkOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + " '" + key + "': the write was already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }
}
