package io.arca.postgres.replication;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A running {@code BASE_BACKUP}: its start position and tablespaces, then its parts one after
 * the other as the server sends them ({@link #next()}), then its end position ({@link
 * #finish()}).
 *
 * <pre>{@code
 * try (BaseBackup b = connection.startBaseBackup(request)) {
 *     for (Part p = b.next(); p != null; p = b.next()) {
 *         store(p.name(), p.stream());          // read to the end, or next() skips the rest
 *     }
 *     BackupEnd end = b.finish();
 * }
 * }</pre>
 *
 * <p>Parts are streamed from the socket through a 128 KiB buffer; nothing is held in memory or
 * written to disk. Tar parts are complete archives ending with the two 512-byte zero blocks:
 * servers 15 and newer send them, older servers do not and this class appends them (as {@code
 * pg_basebackup} does), so every version yields the same valid tar. WAL is never included.
 *
 * <p>Protocol: servers 15+ send one COPY OUT stream whose CopyData messages start with a type
 * byte: {@code n} (new archive: name and tablespace path), {@code d} (data of the current
 * archive or manifest), {@code p} (progress: bytes done so far), {@code m} (the manifest
 * follows). Servers 13 and 14 send one COPY OUT stream of plain tar data per tablespace, in the
 * order of the tablespace list (user tablespaces first, the main data directory last), and one
 * more for the manifest. Both end with a result set holding the stop position.
 *
 * <p>Failures while reading a part: an ErrorResponse from the server (the backup failed there)
 * is thrown from the part stream's {@code read} and from {@link #next()} as the unchecked {@link
 * ArcaException} ({@link ErrorCode#FAILURE}, or {@link ErrorCode#PG_CONNECTION} when the server
 * is shutting down), not wrapped, so that its code and hint survive layers that map {@code
 * IOException}s; a stream that breaks the protocol gives {@link ErrorCode#VERIFICATION_FAILED};
 * a lost connection is a plain {@link IOException}. After any failure the backup is unusable.
 *
 * <p>Not thread-safe, except that {@link #close()} may be called from another thread to abort a
 * blocked read.
 */
public final class BaseBackup implements AutoCloseable {

    private final ReplicationConnection connection;
    private final PgWire wire;
    private final boolean newProtocol;
    private final boolean appendTarTrailer;
    private final boolean manifestExpected;
    private final Lsn startLsn;
    private final TimelineId timeline;
    private final List<Tablespace> tablespaces;

    private PartStream current;
    private long bytesReceived;
    private long serverProgress = -1;
    // New protocol: what ended the previous part (an archive start, the manifest start, CopyDone).
    private Boundary pending;
    // Old protocol: whether a COPY OUT is open, and how many have been opened.
    private boolean copyOpen = true;
    private int copies;
    private int archivesSeen;
    private boolean manifestSeen;
    private BackupEnd end;
    private volatile boolean closed;
    private boolean failed;

    BaseBackup(ReplicationConnection connection, PgWire wire, boolean newProtocol, boolean appendTarTrailer,
               boolean manifestExpected, Lsn startLsn, TimelineId timeline, List<Tablespace> tablespaces) {
        this.connection = connection;
        this.wire = wire;
        this.newProtocol = newProtocol;
        this.appendTarTrailer = appendTarTrailer;
        this.manifestExpected = manifestExpected;
        this.startLsn = startLsn;
        this.timeline = timeline;
        this.tablespaces = List.copyOf(tablespaces);
    }

    /** Where WAL replay must start: the checkpoint's redo position. */
    public Lsn startLsn() {
        return startLsn;
    }

    /** The timeline the backup started on. */
    public TimelineId timeline() {
        return timeline;
    }

    /** The tablespaces in the order the server listed them; the main data directory has a null oid. */
    public List<Tablespace> tablespaces() {
        return tablespaces;
    }

    /** The server's estimate of the total size (sum of the tablespaces' sizes), -1 if unknown. */
    public long estimatedBytes() {
        long sum = 0;
        for (Tablespace t : tablespaces) {
            if (t.sizeBytes() < 0) {
                return -1;
            }
            sum += t.sizeBytes();
        }
        return sum;
    }

    /** Payload bytes received so far (archives and manifest, without the tar trailer added here). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** The server's own count of bytes sent (15+ only, updated about once a second), -1 before the first. */
    public long serverProgress() {
        return serverProgress;
    }

    /**
     * The next part, or {@code null} after the last one (having read the stop position). Skips
     * whatever the caller left unread of the previous part.
     *
     * @throws ArcaException when the server reports an error or the stream is malformed
     * @throws IOException when the connection is lost
     */
    public Part next() throws IOException {
        if (end != null) {
            return null;
        }
        checkUsable();
        if (current != null) {
            PartStream previous = current;
            current = null;
            previous.detached = true;
            previous.drain();
        }
        try {
            return newProtocol ? nextNew() : nextOld();
        } catch (PgWire.ProtocolException e) {
            throw malformed(e.getMessage());
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /**
     * The backup's end, once {@link #next()} has returned {@code null}. The connection is then
     * ready for other commands.
     *
     * @throws IllegalStateException when parts remain
     */
    public BackupEnd finish() throws IOException {
        if (end == null) {
            checkUsable();
            throw new IllegalStateException("finish() called before next() returned null: parts remain");
        }
        return end;
    }

    /** Abandons a backup in flight by closing the connection; does nothing after the end. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (end == null) {
            connection.close();
        }
    }

    // ---- new protocol (15+) -------------------------------------------------------------

    private enum BoundaryKind { ARCHIVE, MANIFEST, COPY_DONE }

    private record Boundary(BoundaryKind kind, String name, String path) {
    }

    private Part nextNew() throws IOException {
        if (pending == null) {
            // Before the first part: nothing but progress may come before a boundary.
            if (readCopyMessage()) {
                throw malformed("archive data before any archive was announced");
            }
        }
        Boundary b = pending;
        pending = null;
        switch (b.kind) {
            case ARCHIVE -> {
                if (manifestSeen) {
                    throw malformed("archive '" + b.name + "' after the manifest");
                }
                archivesSeen++;
                Tablespace t = tablespaceAt(b.path, b.name);
                return open(Part.Kind.TAR, t, b.name);
            }
            case MANIFEST -> {
                if (!manifestExpected || manifestSeen) {
                    throw malformed(manifestSeen ? "a second manifest" : "a manifest that was not asked for");
                }
                manifestSeen = true;
                return open(Part.Kind.MANIFEST, null, "backup_manifest");
            }
            default -> {
                checkComplete();
                readEnd(-1);
                return null;
            }
        }
    }

    private Tablespace tablespaceAt(String path, String name) {
        for (Tablespace t : tablespaces) {
            if (path.isEmpty() ? t.isMain() : path.equals(t.location())) {
                return t;
            }
        }
        throw malformed("archive '" + name + "' for tablespace '" + path + "', which the server did not list");
    }

    /**
     * Reads CopyData messages until archive data (true, positioned at its payload) or a boundary
     * (false, stored in {@link #pending}). Progress messages are recorded and skipped.
     */
    private boolean readCopyMessage() throws IOException {
        while (true) {
            int t = nextMessage();
            if (t == 'c') {
                pending = new Boundary(BoundaryKind.COPY_DONE, null, null);
                return false;
            }
            if (t != 'd') {
                throw malformed("unexpected message type '" + (char) t + "' inside the COPY stream");
            }
            int kind = wire.read();
            switch (kind) {
                case 'd' -> {
                    return true;
                }
                case 'p' -> serverProgress = wire.body().int64();
                case 'n' -> {
                    PgWire.Body body = wire.body();
                    pending = new Boundary(BoundaryKind.ARCHIVE, body.cstring(), body.cstring());
                    return false;
                }
                case 'm' -> {
                    wire.skipRemaining();
                    pending = new Boundary(BoundaryKind.MANIFEST, null, null);
                    return false;
                }
                default -> throw malformed("unknown CopyData message type " + kind);
            }
        }
    }

    // ---- old protocol (13, 14) ----------------------------------------------------------

    private Part nextOld() throws IOException {
        if (!copyOpen) {
            int t = nextMessage();
            if (t == 'H') {
                wire.skipRemaining();
                copyOpen = true;
            } else {
                checkComplete();
                readEnd(t);
                return null;
            }
        }
        int index = copies++;
        if (index < tablespaces.size()) {
            archivesSeen++;
            Tablespace t = tablespaces.get(index);
            return open(Part.Kind.TAR, t, t.archiveName());
        }
        if (manifestExpected && !manifestSeen) {
            manifestSeen = true;
            return open(Part.Kind.MANIFEST, null, "backup_manifest");
        }
        throw malformed("more COPY streams than tablespaces" + (manifestExpected ? " and the manifest" : ""));
    }

    /** Old protocol: the next CopyData (true) or the end of this COPY stream (false). */
    private boolean readOldCopyMessage() throws IOException {
        int t = nextMessage();
        if (t == 'd') {
            return true;
        }
        if (t == 'c') {
            copyOpen = false;
            return false;
        }
        throw malformed("unexpected message type '" + (char) t + "' inside a COPY stream");
    }

    // ---- common -------------------------------------------------------------------------

    private Part open(Part.Kind kind, Tablespace t, String name) {
        current = new PartStream(kind == Part.Kind.TAR && appendTarTrailer);
        return new Part(kind, t, name, current);
    }

    private void checkComplete() {
        if (archivesSeen != tablespaces.size()) {
            throw malformed("the server sent " + archivesSeen + " archives for " + tablespaces.size() + " tablespaces");
        }
        if (manifestExpected && !manifestSeen) {
            throw malformed("the server sent no manifest");
        }
    }

    /** Reads the result set with the stop position and everything up to ReadyForQuery. */
    private void readEnd(int firstType) throws IOException {
        ReplicationConnection.Results results;
        try {
            results = connection.readResults("BASE_BACKUP", firstType, false);
        } catch (ArcaException e) {
            // An error at the very end (e.g. while waiting for WAL archiving): the server is ready again.
            failed = true;
            connection.backupEnded(this);
            throw e;
        }
        for (ResultSet r : results.sets()) {
            if (r.has("recptr") && r.size() > 0) {
                String tli = r.has("tli") ? r.text(0, "tli") : null;
                try {
                    end = new BackupEnd(Lsn.parse(r.text(0, "recptr")),
                            tli == null ? timeline : new TimelineId(Long.parseLong(tli.strip())));
                } catch (IllegalArgumentException e) {
                    throw malformed("invalid stop position: " + e.getMessage());
                }
            }
        }
        if (end == null) {
            throw malformed("the backup ended without a stop position");
        }
        connection.backupEnded(this);
    }

    /** The next message's type, handling those that may come at any time; ErrorResponse throws. */
    private int nextMessage() throws IOException {
        while (true) {
            int t = wire.next();
            switch (t) {
                case 'N' -> connection.notice(wire.body());
                case 'S' -> connection.parameterStatus(wire.body());
                case 'E' -> throw serverError(ServerError.parse(wire.body()));
                default -> {
                    return t;
                }
            }
        }
    }

    private ArcaException serverError(ServerError error) {
        failed = true;
        // The server sends ReadyForQuery after the error; wait for it to keep the connection usable.
        try {
            connection.readResults("BASE_BACKUP", -1, false);
            connection.backupEnded(this);
        } catch (IOException | RuntimeException e) {
            connection.closeQuietly();
        }
        return ReplicationErrors.inCommand(connection.settings(), "BASE_BACKUP", error);
    }

    private ArcaException malformed(String what) {
        failed = true;
        connection.closeQuietly();
        return ReplicationErrors.malformed(connection.settings(), what);
    }

    private IOException lost(IOException e) {
        failed = true;
        connection.closeQuietly();
        return e;
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("the base backup was closed");
        }
        if (failed) {
            throw new IOException("the base backup failed earlier");
        }
        if (connection.isClosed() && end == null) {
            throw new IOException("the replication connection was closed");
        }
    }

    /** Reads one part straight from the socket. */
    private final class PartStream extends InputStream {
        private final boolean addTrailer;
        private final byte[] one = new byte[1];
        private boolean inData;
        private boolean ended;
        private int trailer;
        boolean detached;

        PartStream(boolean addTrailer) {
            this.addTrailer = addTrailer;
        }

        @Override
        public int read() throws IOException {
            int n;
            do {
                n = read(one, 0, 1);
            } while (n == 0);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (detached) {
                throw new IOException("this part is over: BaseBackup.next() moved on");
            }
            if (len == 0) {
                return 0;
            }
            checkUsable();
            // Fills b across CopyData messages (the server sends 32 KiB or less each) as long as
            // they are already received, so that what follows sees large reads; never waits with
            // bytes in hand.
            int total = 0;
            try {
                while (!ended) {
                    if (inData) {
                        if (total > 0 && wire.buffered() == 0) {
                            return total;
                        }
                        int n = wire.read(b, off + total, len - total);
                        if (n > 0) {
                            bytesReceived += n;
                            total += n;
                            if (total == len) {
                                return total;
                            }
                            continue;
                        }
                        inData = false;
                    }
                    // a header and the CopyData kind byte
                    if (total > 0 && wire.buffered() < 6) {
                        return total;
                    }
                    advance();
                }
            } catch (PgWire.ProtocolException e) {
                throw malformed(e.getMessage());
            } catch (IOException e) {
                throw lost(e);
            }
            if (total > 0) {
                return total;
            }
            if (trailer > 0) {
                int n = Math.min(len, trailer);
                Arrays.fill(b, off, off + n, (byte) 0);
                trailer -= n;
                return n;
            }
            return -1;
        }

        /** Skips the rest of the part without copying archive data. */
        void drain() throws IOException {
            try {
                while (!ended) {
                    if (inData) {
                        bytesReceived += wire.remaining();
                        wire.skipRemaining();
                        inData = false;
                    }
                    advance();
                }
            } catch (PgWire.ProtocolException e) {
                throw malformed(e.getMessage());
            } catch (IOException e) {
                throw lost(e);
            }
            trailer = 0;
        }

        private void advance() throws IOException {
            boolean data = newProtocol ? readCopyMessage() : readOldCopyMessage();
            if (data) {
                inData = true;
            } else {
                ended = true;
                trailer = addTrailer ? 1024 : 0;
            }
        }

        @Override
        public void close() {
            // The connection stays open; next() skips what is left.
        }
    }
}
