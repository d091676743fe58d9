package io.arca.postgres.wal;

import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.PgConnections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;
import org.postgresql.core.v3.replication.V3PGReplicationStream;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.ReplicationType;
import org.postgresql.replication.fluent.physical.ChainedPhysicalStreamBuilder;

/**
 * Streams a cluster's WAL over the replication protocol into a repository's {@link WalArchive}, as
 * {@code pg_receivewal} does into a directory: {@code arca wal-receive}, and the WAL of physical
 * base backups ({@code pg_basebackup -X stream}).
 *
 * <p><b>Flow.</b> {@link #open} connects with a replication connection, runs {@code
 * IDENTIFY_SYSTEM} and creates the replication slot, so the server keeps WAL from then on. {@link
 * #run} streams with pgjdbc's physical replication stream; each message's payload is written
 * straight from its buffer into a spool file for the segment it belongs to (a message crossing a
 * segment boundary is split), so no segment is ever held in memory. A completed segment is handed
 * to a pusher thread through a queue of {@value #QUEUE_CAPACITY} segments, which archives it with
 * {@link WalArchive#push} and deletes the spool file: a slow store slows the stream down (the
 * server keeps the WAL) instead of filling the disk. When {@code run} ends (its {@code until}
 * position is archived, or {@link #stop()}), the unfinished segment is archived with {@link
 * WalArchive#pushPartial} as {@code <segment>.partial}, zero-padded to the segment size as
 * PostgreSQL's own partial segments are.
 *
 * <p><b>Status and slots.</b> The position reported to the server as flushed and applied is the
 * end of the last complete segment in the archive, sent on every archived segment and at least
 * every {@code statusInterval}; a physical slot therefore never releases WAL the repository does
 * not have (partial segments do not count: their rest is streamed again).
 *
 * <p><b>Where it starts.</b> {@code run(start, …)} starts at the beginning of {@code start}'s
 * segment. Without a start it continues after the newest segment in the archive for this system
 * (of any timeline in the server's history), else at the slot's {@code restart_lsn}, else at the
 * segment of the server's current position ({@link #defaultStart()}). When the server no longer
 * has that WAL, it logs the gap and continues at the server's position.
 *
 * <p><b>Reconnects.</b> When the connection fails, the receiver reconnects after 1 s, doubling up
 * to {@code maxReconnectDelay}, with a log line each time, and streams again from the start of the
 * unfinished segment, rewriting its spool file; the spool keeps what was received meanwhile, so a
 * stop while disconnected still archives it as partial. Rejected credentials, another system
 * identifier behind the same address, or a missing slot end the run with an error.
 *
 * <p><b>Timelines.</b> Each segment is streamed from the timeline that owns it in the server's
 * history ({@link TimelineHistory#timelineOf}): the segment in which a timeline ended belongs to
 * its successor, which starts with a copy of it. pgjdbc's physical stream builder has no {@code
 * TIMELINE} option and so always streams the server's current timeline; the server then looks
 * for segments of that timeline only, and a position before the segment in which the current
 * timeline began fails with "requested WAL segment … has already been removed". Segments of an
 * ancestor timeline are therefore streamed with {@code START_REPLICATION … TIMELINE n} sent
 * through pgjdbc's copy API, wrapped in pgjdbc's own replication stream. When the server ends a
 * timeline (the standby streamed from is promoted, or a historic timeline is streamed to its end)
 * or a reconnect finds the server on a newer timeline, the receiver archives the old timeline's
 * unfinished segment as partial, archives {@code <timeline>.history} (from {@code
 * TIMELINE_HISTORY}) for every newer timeline it streams, and continues on the next timeline from
 * the start of the segment holding the switch point. If it had streamed the old timeline past the
 * switch point (the old primary lived on), it goes back to that segment, so the new timeline is
 * archived without a gap. pgjdbc swallows the end of a live stream (the server's CopyDone when the
 * standby streamed from is promoted), so a watchdog thread asks a standby for its timeline over a
 * second connection after {@code max(5 s, 3 × statusInterval)} without WAL, and cuts the stream
 * when the timeline moved on; a historic stream ends when its timeline's end is received.
 *
 * <p>{@link #stop()}, {@link #stopAt}, {@link #onPushed} and the accessors are thread-safe; one
 * {@code run} at a time.
 */
public final class WalReceiver implements AutoCloseable {
    /** Segments waiting for the pusher, beside the one it is archiving and the one being received. */
    private static final int QUEUE_CAPACITY = 2;
    /** {@code XLogLongPageHeaderData}: a partial segment shorter than its first page header is useless. */
    private static final int LONG_PAGE_HEADER = 40;
    private static final long POLL_MIN_MILLIS = 1;
    private static final long POLL_MAX_MILLIS = 100;
    /** After stop(), how long the messages already received are still taken in. */
    private static final long DRAIN_MILLIS = 2_000;
    private static final long FIRST_RETRY_MILLIS = 1_000;
    /** Archiving attempts after stop() before the run gives up on a failing store. */
    private static final int RETRIES_WHEN_STOPPING = 3;
    /** Server errors in a row (other than lost connections) before the run gives up. */
    private static final int MAX_ERRORS_WITHOUT_PROGRESS = 5;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|kB|MB|GB|TB)?");

    private final ConnectionSettings settings;
    private final WalArchive archive;
    private final WalReceiverOptions options;
    private final long systemId;
    private final long segmentSize;
    private final Path spool;
    private final boolean ownSpool;
    private final Object sleeper = new Object();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Lsn stopAt;
    private volatile TimelineId timeline;
    private volatile Lsn serverPosition;
    private volatile TimelineHistory history;
    private volatile BiConsumer<WalFileName, WalArchive.Pushed> onPushed = (name, pushed) -> { };
    /** The replication connection; null while disconnected. Used by the thread in run() only (and aborted by its watchdog). */
    private volatile Connection connection;
    /** Whether the server streamed from is (or may be) a standby, whose timeline can change under the stream. */
    private volatile boolean standbySource = true;

    private WalReceiver(ConnectionSettings settings, WalArchive archive, WalReceiverOptions options, Identity identity,
                        long segmentSize, Path spool, boolean ownSpool, Connection connection) {
        this.settings = settings;
        this.archive = archive;
        this.options = options;
        this.systemId = identity.systemId();
        this.timeline = identity.timeline();
        this.serverPosition = identity.position();
        this.segmentSize = segmentSize;
        this.spool = spool;
        this.ownSpool = ownSpool;
        this.connection = connection;
        this.history = TimelineHistory.first();
    }

    /**
     * Connects, identifies the system and creates the slot the options ask for (a temporary one
     * lives as long as this receiver's connection), so the server keeps WAL from now on.
     *
     * @throws ArcaException PG_CONNECTION or PG_AUTHENTICATION when the server cannot be reached or
     *     refuses replication connections; FAILURE when the slot must exist and does not
     */
    public static WalReceiver open(ConnectionSettings settings, WalArchive archive, WalReceiverOptions options) {
        Path spool;
        boolean ownSpool = options.spoolDirectory() == null;
        try {
            spool = ownSpool ? Files.createTempDirectory("arca-wal-receive-")
                    : Files.createDirectories(options.spoolDirectory());
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot create the spool directory '"
                    + (ownSpool ? System.getProperty("java.io.tmpdir") : options.spoolDirectory()) + "': " + e.getMessage(),
                    "give a writable directory with room for a few WAL segments (--spool DIR)", e);
        }
        Connection c = connect(settings);
        WalReceiver receiver = null;
        try {
            Identity identity = identify(c);
            receiver = new WalReceiver(settings, archive, options, identity, segmentSize(c), spool, ownSpool, c);
            receiver.standbySource = inHotStandby(c);
            if (identity.timeline().value() > 1) {
                receiver.history = receiver.readHistory(c, identity.timeline());
            }
            if (options.slotName() != null) {
                if (options.temporarySlot() || options.createSlot()) {
                    receiver.createSlot(c);
                } else {
                    SlotState slot = receiver.slotState(true);
                    if (slot.known() && !slot.exists()) {
                        throw receiver.missingSlot();
                    }
                }
            }
            return receiver;
        } catch (SQLException e) {
            closeQuietly(c);
            throw commandFailed(settings, e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            if (receiver != null && ownSpool) {
                TempFiles.deleteQuietly(spool);
            }
            throw e;
        }
    }

    /** The server's system identifier (the key of its WAL archive). */
    public long systemId() {
        return systemId;
    }

    /** The server's current timeline (as of the last connection). */
    public TimelineId timeline() {
        return timeline;
    }

    /** The server's WAL position as of the last connection ({@code IDENTIFY_SYSTEM}). */
    public Lsn serverPosition() {
        return serverPosition;
    }

    /** The server's WAL segment size. */
    public long segmentSize() {
        return segmentSize;
    }

    /** Called on the pusher thread for every file archived (segments, partials, history files). */
    public void onPushed(BiConsumer<WalFileName, WalArchive.Pushed> listener) {
        this.onPushed = listener == null ? (name, pushed) -> { } : listener;
    }

    /**
     * Where {@code run(null, …)} starts: after the newest segment in the archive for this system,
     * else at the slot's {@code restart_lsn}, else at the server's current segment.
     */
    public Lsn defaultStart() {
        return defaultStart(!running.get());
    }

    private Lsn defaultStart(boolean mayUseConnection) {
        TimelineHistory h = history;
        long newest = -1;
        for (WalArchive.Archived a : archive.list(systemId, segmentSize)) {
            WalFileName n = a.name();
            if (n.kind() == WalFileName.Kind.SEGMENT && n.segment() > newest
                    && h.timelineOf(n.segment(), segmentSize).equals(n.timeline())) {
                newest = n.segment();
            }
        }
        if (newest >= 0) {
            return new Lsn((newest + 1) * segmentSize);
        }
        if (options.slotName() != null) {
            SlotState slot = slotState(mayUseConnection);
            if (slot.restartLsn() != null) {
                return new Lsn(segmentStart(slot.restartLsn().value()));
            }
        }
        return new Lsn(segmentStart(serverPosition.value()));
    }

    /**
     * Streams from the start of {@code start}'s segment ({@link #defaultStart()} when null) until
     * {@link #stop()}, or until all WAL up to {@code until} (when not null; see also {@link
     * #stopAt}) is in the archive. Every completed segment is archived; at the end the unfinished
     * segment is archived as partial (for {@code until}, when it holds WAL before {@code until}).
     *
     * @return the end of the WAL this run archived, complete segments and the partial; the start
     *     when it archived nothing
     * @throws ArcaException for failures that retrying does not mend: credentials, another system
     *     behind the address, a missing slot, WAL the server no longer has (with a start given), an
     *     archive that refuses a segment
     */
    public Lsn run(Lsn start, Lsn until) {
        if (closed.get()) {
            throw new IllegalStateException("the WAL receiver is closed");
        }
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("the WAL receiver is already running");
        }
        try {
            return new Session(start, until).run();
        } finally {
            running.set(false);
        }
    }

    /**
     * Makes {@link #run} return once all WAL up to {@code until} is in the archive, as its {@code
     * until} parameter does (the earlier of the two counts). Thread-safe; for callers that learn
     * the end position while the run is under way, such as a base backup.
     */
    public void stopAt(Lsn until) {
        this.stopAt = until;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    /**
     * Makes {@link #run} archive what it has (the unfinished segment as partial) and return; a run
     * started afterwards returns at once. Thread-safe.
     */
    public void stop() {
        stopping.set(true);
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    /** Stops a run (waiting up to 60 s for it to archive what it has), closes the connection, drops a temporary slot. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (running.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeConnection();
        if (ownSpool) {
            TempFiles.deleteQuietly(spool);
        }
    }

    // ---- one run -------------------------------------------------------------------------

    /** What ended one stream. */
    private enum End { REACHED, STOPPED, ENDED_BY_SERVER, LOST, RESTART }

    private record Outcome(End end, boolean received, SQLException error) {
    }

    /** The state of one {@link #run}: position, unfinished segment, pusher. */
    private final class Session {
        private final Lsn until;
        private final boolean automatic;
        private final Pusher pusher = new Pusher();
        private final Set<TimelineId> historiesPushed = new HashSet<>();
        /** The next byte to write; at a segment start whenever a stream starts. */
        private long pos;
        private long startPos;
        /** The unfinished segment, null at a segment boundary. */
        private Spool unfinished;
        /** The timeline streamed last. */
        private TimelineId streamed;
        private PGReplicationStream stream;
        private long reported;
        private final Watchdog watchdog = new Watchdog(this);
        /** When the pgjdbc read under way started (System.nanoTime()); 0 when none is. */
        volatile long inReadSince;
        /** When WAL last arrived, or the stream started. */
        volatile long lastData = System.nanoTime();
        /** Whether the stream under way is of the server's current timeline. */
        volatile boolean streamingCurrent;
        /** Set by the watchdog when it found the server on a newer timeline and cut the stream. */
        volatile boolean timelineEnded;

        Session(Lsn start, Lsn until) {
            this.until = until;
            this.automatic = start == null;
            this.pos = start == null ? -1 : segmentStart(start.value());
        }

        Lsn run() {
            pusher.start();
            watchdog.start();
            boolean clean = false;
            try {
                if (automatic) {
                    pos = defaultStart(true).value();
                }
                startPos = pos;
                loop();
                clean = true;
            } finally {
                watchdog.interrupt();
                finish(clean);
            }
            long archived = Math.max(pusher.archivedEnd, pusher.partialEnd);
            return new Lsn(Math.max(archived, startPos));
        }

        private void loop() {
            long delay = FIRST_RETRY_MILLIS;
            boolean waitFirst = false;
            int errorsWithoutProgress = 0;
            while (!stopping.get() && !reached()) {
                pusher.check();
                if (waitFirst) {
                    pause(delay);
                    delay = Math.min(delay * 2, options.maxReconnectDelay().toMillis());
                    waitFirst = false;
                    continue;
                }
                if (connection == null) {
                    try {
                        reconnect();
                    } catch (ArcaException e) {
                        if (!e.code().retryable()) {
                            throw e;
                        }
                        options.log().accept(e.getMessage() + "; retrying in " + seconds(delay));
                        waitFirst = true;
                        continue;
                    }
                }
                Outcome o = streamOnce();
                if (o.received()) {
                    delay = FIRST_RETRY_MILLIS;
                    errorsWithoutProgress = 0;
                }
                switch (o.end()) {
                    case REACHED, STOPPED -> {
                        return;
                    }
                    case RESTART -> {
                        stream = null;
                        closeConnection();
                    }
                    case ENDED_BY_SERVER -> {
                        stream = null;
                        options.log().accept("the server ended timeline " + streamed + " at " + new Lsn(pos)
                                + "; reconnecting to follow its next timeline");
                        closeConnection();
                        // a server that ends streams without sending anything must not make us spin
                        waitFirst = !o.received();
                    }
                    case LOST -> {
                        stream = null;
                        closeConnection();
                        if (!o.received() && !isPassing(o.error())
                                && ++errorsWithoutProgress >= MAX_ERRORS_WITHOUT_PROGRESS) {
                            throw new ArcaException(ErrorCode.FAILURE, "streaming WAL from " + settings.hostAndPort()
                                    + " failed: " + firstLine(o.error()), "check the server log", o.error());
                        }
                        options.log().accept("lost the WAL stream from " + settings.hostAndPort() + ": "
                                + firstLine(o.error()) + "; reconnecting in " + seconds(delay));
                        waitFirst = true;
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        /** Streams from the start of the unfinished segment until the stream ends, the target is reached or stop(). */
        private Outcome streamOnce() {
            if (streamed != null) {
                Lsn end = history.endOf(streamed);
                if (end != null && pos > segmentStart(end.value())) {
                    // streamed past the switch point: that WAL is the old timeline's; the new one starts earlier
                    pos = segmentStart(end.value());
                }
            }
            pos = segmentStart(pos);
            long segment = pos / segmentSize;
            TimelineId tli = history.timelineOf(segment, segmentSize);
            if (unfinished != null && (unfinished.segment != segment || !unfinished.timeline.equals(tli))) {
                // the segment continues on another timeline: the old one keeps what it has, as partial
                archivePartial(unfinished);
                unfinished = null;
            }
            boolean historic = !tli.equals(history.timeline());
            Lsn historicEnd = historic ? history.endOf(tli) : null;
            stream = null;
            timelineEnded = false;
            boolean received = false;
            try {
                pushHistories(tli);
                stream = startStream(tli, pos, historic);
                streamed = tli;
                lastData = System.nanoTime();
                streamingCurrent = !historic;
                reported = 0;
                options.log().accept("streaming timeline " + tli + " from " + new Lsn(pos)
                        + (historic ? " to its end at " + history.endOf(tli) : ""));
                report(true);
                long poll = POLL_MIN_MILLIS;
                while (true) {
                    if (stopping.get()) {
                        drain();
                        return new Outcome(End.STOPPED, received, null);
                    }
                    pusher.check();
                    ByteBuffer buffer = read();
                    if (buffer == null) {
                        if (stream.isClosed()) {
                            return new Outcome(End.ENDED_BY_SERVER, received, null);
                        }
                        if (reached()) {
                            // everything up to the target arrived before stopAt() named it
                            return new Outcome(End.REACHED, received, null);
                        }
                        report(false);
                        pause(poll);
                        poll = Math.min(poll * 2, POLL_MAX_MILLIS);
                        continue;
                    }
                    poll = POLL_MIN_MILLIS;
                    received = true;
                    lastData = System.nanoTime();
                    accept(buffer, stream.getLastReceiveLSN().asLong(), tli);
                    report(false);
                    if (reached()) {
                        return new Outcome(End.REACHED, true, null);
                    }
                    if (historicEnd != null && Long.compareUnsigned(pos, historicEnd.value()) >= 0) {
                        // all of the ancestor timeline is here: the server ends the stream now anyway
                        return new Outcome(End.ENDED_BY_SERVER, true, null);
                    }
                }
            } catch (SQLException e) {
                if (timelineEnded || stream != null && stream.isClosed() && !isConnectionFailure(e)) {
                    return new Outcome(End.ENDED_BY_SERVER, received, null);
                }
                if (isWalRemoved(e)) {
                    walRemoved(e);
                    return new Outcome(End.RESTART, true, e);
                }
                if ("42704".equals(e.getSQLState()) && options.slotName() != null) {
                    throw missingSlot();
                }
                return new Outcome(End.LOST, received, e);
            }
        }

        /** The server removed the WAL asked for: with a start of our own, skip the gap (and say so); else fail. */
        private void walRemoved(SQLException e) {
            Lsn wanted = new Lsn(pos);
            Lsn now = new Lsn(segmentStart(serverPosition.value()));
            if (!automatic || now.compareTo(wanted) <= 0) {
                throw new ArcaException(ErrorCode.FAILURE, "the server at " + settings.hostAndPort()
                        + " no longer has the WAL from " + wanted + ": " + firstLine(e),
                        "a replication slot (--slot) keeps the server from removing WAL that is not archived yet; take a"
                                + " new base backup", e);
            }
            options.log().accept("warning: the server no longer has the WAL from " + wanted + " (" + firstLine(e)
                    + "): the archive has a gap up to " + now + "; continuing there. Take a new base backup: point-in-time"
                    + " recovery cannot cross the gap");
            if (unfinished != null) {
                archivePartial(unfinished);
                unfinished = null;
            }
            pos = now.value();
            startPos = Math.max(startPos, pos);
        }

        /** Writes one message's WAL (starting at LSN {@code end - remaining}) into the spool, segment by segment. */
        private void accept(ByteBuffer buffer, long end, TimelineId tli) {
            long messageStart = end - buffer.remaining();
            if (messageStart > pos) {
                throw new ArcaException(ErrorCode.FAILURE, "the server sent WAL from " + new Lsn(messageStart) + " where "
                        + new Lsn(pos) + " was expected", "this is a bug in arca or the server; please report it");
            }
            if (messageStart < pos) {
                long skip = pos - messageStart;
                if (skip >= buffer.remaining()) {
                    return;
                }
                buffer.position(buffer.position() + (int) skip);
            }
            while (buffer.hasRemaining()) {
                long segment = pos / segmentSize;
                long offset = pos % segmentSize;
                if (unfinished == null) {
                    unfinished = new Spool(tli, segment);
                }
                int n = (int) Math.min(buffer.remaining(), segmentSize - offset);
                ByteBuffer part = buffer.slice();
                part.limit(n);
                unfinished.write(part, offset);
                buffer.position(buffer.position() + n);
                pos += n;
                if (offset + n == segmentSize) {
                    Spool done = unfinished;
                    unfinished = null;
                    done.closeChannel();
                    pusher.enqueue(new Job(Job.Kind.SEGMENT, done.name, done.file, pos), this);
                }
            }
        }

        /** Takes in what has arrived already (bounded), so that stop() right after a commit still archives it. */
        private void drain() throws SQLException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
            while (System.nanoTime() < deadline && !stream.isClosed()) {
                ByteBuffer buffer = read();
                if (buffer == null) {
                    return;
                }
                accept(buffer, stream.getLastReceiveLSN().asLong(), streamed);
            }
        }

        /** {@code readPending()}, timed for the watchdog. */
        private ByteBuffer read() throws SQLException {
            inReadSince = System.nanoTime();
            try {
                return stream.readPending();
            } finally {
                inReadSince = 0;
            }
        }

        /** Reports the end of the archived segments as flushed and applied, when it moved or {@code force}. */
        private void report(boolean force) throws SQLException {
            long archived = pusher.archivedEnd;
            if (stream == null || stream.isClosed() || archived <= reported && !force) {
                return;
            }
            if (archived > 0) {
                LogSequenceNumber lsn = LogSequenceNumber.valueOf(archived);
                stream.setFlushedLSN(lsn);
                stream.setAppliedLSN(lsn);
                reported = archived;
            }
            stream.forceUpdateStatus();
        }

        /** Keeps the stream alive while the reader waits for the pusher: status updates, errors ignored. */
        void keepAlive() {
            try {
                report(true);
            } catch (SQLException e) {
                // the read after this finds the connection lost
            }
        }

        private boolean reached() {
            Lsn target = target();
            return target != null && Long.compareUnsigned(pos, target.value()) >= 0;
        }

        private Lsn target() {
            Lsn a = until;
            Lsn b = stopAt;
            if (a == null) {
                return b;
            }
            return b == null || a.compareTo(b) <= 0 ? a : b;
        }

        /** Archives the history files of the timelines up to {@code tli} (from 2 on), once per run. */
        private void pushHistories(TimelineId tli) throws SQLException {
            List<TimelineId> chain = new ArrayList<>();
            history.ancestors().forEach(e -> chain.add(e.timeline()));
            chain.add(history.timeline());
            for (TimelineId t : chain) {
                if (t.value() > 1 && historiesPushed.add(t)) {
                    String name = t.hex() + ".history";
                    Path file = spool.resolve(name);
                    try {
                        Files.write(file, historyContent(connection, t));
                    } catch (IOException e) {
                        throw spoolFailure(file, e);
                    }
                    pusher.enqueue(new Job(Job.Kind.HISTORY, WalFileName.parse(name, segmentSize), file, 0), this);
                }
                if (t.equals(tli)) {
                    break;
                }
            }
        }

        private void archivePartial(Spool s) {
            if (s.validEnd - s.start < LONG_PAGE_HEADER) {
                s.discard();
                return;
            }
            s.padAndClose();
            WalFileName partial = new WalFileName(s.name.name() + ".partial", WalFileName.Kind.PARTIAL, s.timeline, s.segment);
            pusher.enqueue(new Job(Job.Kind.PARTIAL, partial, s.file, s.validEnd), this);
        }

        private void finish(boolean clean) {
            try {
                if (unfinished != null) {
                    Lsn target = target();
                    boolean wanted = stopping.get() || target == null
                            || Long.compareUnsigned(unfinished.start, target.value()) < 0;
                    if (clean && wanted) {
                        archivePartial(unfinished);
                    } else {
                        unfinished.discard();
                    }
                    unfinished = null;
                }
            } finally {
                pusher.finish(this);
                try {
                    report(true);
                } catch (SQLException e) {
                    // the slot catches up on the next run
                }
                if (stream != null && !stream.isClosed()) {
                    try {
                        stream.close();
                    } catch (SQLException e) {
                        closeConnection();
                    }
                }
                stream = null;
            }
            if (clean) {
                pusher.check();
            }
        }
    }

    /**
     * Watches a run from its own thread, because pgjdbc hides one event: when a standby being
     * streamed from is promoted, its walsender sends the old timeline up to the switch point and
     * ends the stream with CopyDone, which pgjdbc swallows, waiting (up to half of
     * wal_sender_timeout) for a CommandComplete that the server only sends after the client's own
     * CopyDone, and then keeps reading a stream that sends nothing more. So when a standby's
     * stream has brought no WAL for a while, the watchdog asks the server for its timeline over a
     * second connection ({@code IDENTIFY_SYSTEM}) and, when it is newer, aborts the replication
     * connection: the run then reconnects and follows the new timeline. It also aborts a read
     * that keeps a stop() waiting.
     */
    private final class Watchdog extends Thread {
        private static final long TICK_MILLIS = 500;
        private static final long STOP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
        private final Session session;
        private final long checkAfter;
        private long lastCheck = System.nanoTime();

        Watchdog(Session session) {
            super("arca-wal-watchdog");
            setDaemon(true);
            this.session = session;
            this.checkAfter = TimeUnit.MILLISECONDS.toNanos(Math.max(5_000, 3 * options.statusInterval().toMillis()));
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                Connection c = connection;
                long now = System.nanoTime();
                long reading = session.inReadSince;
                if (c == null) {
                    continue;
                }
                if (stopping.get() && reading != 0 && now - reading > STOP_WAIT_NANOS) {
                    abort(c);
                } else if (standbySource && session.streamingCurrent && now - session.lastData > checkAfter
                        && now - lastCheck > checkAfter) {
                    lastCheck = now;
                    if (serverTimelineIsNewer()) {
                        session.timelineEnded = true;
                        abort(c);
                    }
                }
            }
        }

        private boolean serverTimelineIsNewer() {
            try (Connection side = connect(settings)) {
                return identify(side).timeline().compareTo(history.timeline()) > 0;
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }

        private void abort(Connection c) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(c);
            }
        }
    }

    // ---- spool and pusher ----------------------------------------------------------------

    /** The spool file of the segment being received, written at the offsets the WAL has in the segment. */
    private final class Spool {
        final TimelineId timeline;
        final long segment;
        final long start;
        final WalFileName name;
        final Path file;
        private final FileChannel channel;
        /** The end (LSN) of what was written. */
        long validEnd;

        Spool(TimelineId timeline, long segment) {
            this.timeline = timeline;
            this.segment = segment;
            this.start = segment * segmentSize;
            this.name = WalFileName.segment(timeline, segment, segmentSize);
            this.file = spool.resolve(name.name() + ".receiving");
            this.validEnd = start;
            try {
                this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                throw spoolFailure(file, e);
            }
        }

        void write(ByteBuffer data, long offset) {
            long at = offset;
            try {
                while (data.hasRemaining()) {
                    at += channel.write(data, at);
                }
            } catch (IOException e) {
                throw spoolFailure(file, e);
            }
            validEnd = Math.max(validEnd, start + at);
        }

        void closeChannel() {
            try {
                channel.close();
            } catch (IOException e) {
                throw spoolFailure(file, e);
            }
        }

        /** Zero-pads to the segment size, as PostgreSQL's partial segments are, and closes. */
        void padAndClose() {
            try {
                if (channel.size() < segmentSize) {
                    channel.write(ByteBuffer.wrap(new byte[1]), segmentSize - 1);
                }
            } catch (IOException e) {
                throw spoolFailure(file, e);
            }
            closeChannel();
        }

        void discard() {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a stale spool file is truncated when its segment is received again
            }
        }
    }

    /** A file for the pusher. */
    private record Job(Kind kind, WalFileName name, Path file, long end) {
        enum Kind { SEGMENT, PARTIAL, HISTORY, END }

        static final Job END = new Job(Kind.END, null, null, 0);
    }

    /** Archives spooled files in order on its own thread, so that receiving goes on meanwhile. */
    private final class Pusher extends Thread {
        private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        /** The end of the last complete segment archived (what the server is told is flushed). */
        volatile long archivedEnd;
        volatile long partialEnd;

        Pusher() {
            super("arca-wal-pusher");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Job job;
                try {
                    job = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (job.kind() == Job.Kind.END) {
                    return;
                }
                try {
                    if (failure.get() == null) {
                        push(job);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    try {
                        Files.deleteIfExists(job.file());
                    } catch (IOException e) {
                        // left in the spool directory; overwritten when the segment comes again
                    }
                }
            }
        }

        private void push(Job job) {
            long delay = FIRST_RETRY_MILLIS;
            int retriesWhenStopping = 0;
            while (true) {
                try {
                    WalArchive.Pushed pushed = job.kind() == Job.Kind.PARTIAL
                            ? archive.pushPartial(systemId, job.name(), job.file())
                            : archive.push(systemId, job.name(), job.file());
                    if (job.kind() == Job.Kind.SEGMENT) {
                        archivedEnd = job.end();
                    } else if (job.kind() == Job.Kind.PARTIAL) {
                        partialEnd = Math.max(partialEnd, job.end());
                    }
                    onPushed.accept(job.name(), pushed);
                    return;
                } catch (ArcaException e) {
                    if (!e.code().retryable() || stopping.get() && ++retriesWhenStopping > RETRIES_WHEN_STOPPING) {
                        throw e;
                    }
                    options.log().accept("cannot archive " + job.name() + ": " + e.getMessage() + "; retrying in "
                            + seconds(delay));
                } catch (UncheckedIOException e) {
                    if (stopping.get() && ++retriesWhenStopping > RETRIES_WHEN_STOPPING) {
                        throw new ArcaException(ErrorCode.FAILURE, "cannot archive " + job.name() + ": " + e.getMessage(),
                                "check the repository and the spool directory", e);
                    }
                    options.log().accept("cannot archive " + job.name() + ": " + e.getMessage() + "; retrying in "
                            + seconds(delay));
                }
                try {
                    Thread.sleep(stopping.get() ? Math.min(delay, FIRST_RETRY_MILLIS) : delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while archiving " + job.name());
                }
                delay = Math.min(delay * 2, options.maxReconnectDelay().toMillis());
            }
        }

        /** Queues a file; while the queue is full (a slow store), keeps the stream alive and waits. */
        void enqueue(Job job, Session session) {
            try {
                while (!queue.offer(job, Math.min(1_000, options.statusInterval().toMillis()), TimeUnit.MILLISECONDS)) {
                    if (failure.get() != null || !isAlive()) {
                        TempFiles.deleteQuietly(job.file());
                        check();
                        throw new IllegalStateException("the WAL pusher ended");
                    }
                    session.keepAlive();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                TempFiles.deleteQuietly(job.file());
                throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while receiving WAL");
            }
        }

        /** Throws what the pusher failed with, if it did. */
        void check() {
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }

        /** Lets the pusher archive what is queued, then ends it. */
        void finish(Session session) {
            if (isAlive()) {
                enqueue(Job.END, session);
            }
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the server ----------------------------------------------------------------------

    private record Identity(long systemId, TimelineId timeline, Lsn position) {
    }

    private record SlotState(boolean known, boolean exists, Lsn restartLsn) {
    }

    /** A replication connection ({@code replication=true}: physical, no database). */
    private static Connection connect(ConnectionSettings settings) {
        Properties props = settings.jdbcProperties();
        props.setProperty("replication", "true");
        props.setProperty("assumeMinServerVersion", "9.4");
        props.setProperty("preferQueryMode", "simple");
        try {
            Connection c = new org.postgresql.Driver().connect(settings.jdbcUrl(), props);
            if (c == null) {
                throw new ArcaException(ErrorCode.INTERNAL, "pgjdbc rejected the url '" + settings.jdbcUrl() + "'");
            }
            return c;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new ArcaException(ErrorCode.PG_AUTHENTICATION, "user '" + settings.user() + "' may not stream WAL"
                        + " from " + settings.hostAndPort() + ": " + firstLine(e),
                        "grant it: ALTER ROLE " + settings.user() + " REPLICATION; and allow replication connections in"
                                + " pg_hba.conf", e);
            }
            throw PgConnections.map(settings, e);
        }
    }

    private void reconnect() {
        Connection c = connect(settings);
        try {
            Identity id = identify(c);
            if (id.systemId() != systemId) {
                throw new ArcaException(ErrorCode.WAL_SYSTEM_MISMATCH, "the server at " + settings.hostAndPort()
                        + " is now system " + Long.toUnsignedString(id.systemId()) + ", not system "
                        + Long.toUnsignedString(systemId) + " whose WAL was being received",
                        "another cluster answers at this address; start wal-receive again for it");
            }
            int cmp = id.timeline().compareTo(timeline);
            if (cmp > 0) {
                TimelineHistory h = readHistory(c, id.timeline());
                if (!h.contains(timeline)) {
                    throw new ArcaException(ErrorCode.FAILURE, "the server at " + settings.hostAndPort() + " is on timeline "
                            + id.timeline() + ", which does not descend from timeline " + timeline + " streamed so far",
                            "it is not the server streamed before; check which server --db points at");
                }
                options.log().accept("the server is on timeline " + id.timeline() + " now (was " + timeline + ")");
                history = h;
                timeline = id.timeline();
            } else if (cmp < 0) {
                throw new ArcaException(ErrorCode.FAILURE, "the server at " + settings.hostAndPort() + " is on timeline "
                        + id.timeline() + ", older than timeline " + timeline + " streamed so far",
                        "it is not the server streamed before (after a failover, point --db at the new primary)");
            }
            serverPosition = id.position();
            standbySource = inHotStandby(c);
            if (options.slotName() != null && (options.temporarySlot() || options.createSlot())) {
                createSlot(c);
            }
            connection = c;
            options.log().accept("connected to " + settings.hostAndPort() + " (timeline " + timeline + ", at "
                    + serverPosition + ")");
        } catch (SQLException e) {
            closeQuietly(c);
            throw commandFailed(settings, e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static Identity identify(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            if (!rs.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            return new Identity(Long.parseUnsignedLong(rs.getString(1).trim()), new TimelineId(rs.getLong(2)),
                    Lsn.parse(rs.getString(3)));
        }
    }

    /** {@code SHOW in_hot_standby} (PostgreSQL 14+); true where the server cannot say. */
    private static boolean inHotStandby(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW in_hot_standby")) {
            return !rs.next() || !"off".equals(rs.getString(1));
        } catch (SQLException e) {
            return true;
        }
    }

    /** {@code SHOW wal_segment_size} ({@code 16MB}); 16 MiB where the server cannot say (before 10). */
    private static long segmentSize(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_segment_size")) {
            if (rs.next()) {
                return parseSize(rs.getString(1));
            }
        } catch (SQLException | IllegalArgumentException e) {
            // fall through
        }
        return WalArchive.DEFAULT_SEGMENT_SIZE;
    }

    /** Parses a size as {@code SHOW} prints it ({@code 16MB}, {@code 1GB}, {@code 8192}). */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "kB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            case "TB" -> 40;
            default -> 0;
        };
        long size = n << shift;
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("invalid WAL segment size '" + text + "'");
        }
        return size;
    }

    private TimelineHistory readHistory(Connection c, TimelineId tli) throws SQLException {
        return TimelineHistory.parse(tli, historyContent(c, tli));
    }

    private static byte[] historyContent(Connection c, TimelineId tli) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + tli.value())) {
            if (!rs.next()) {
                throw new SQLException("TIMELINE_HISTORY " + tli.value() + " returned no row");
            }
            return rs.getBytes(2);
        }
    }

    /** Creates the slot; a permanent one that exists already is fine. */
    private void createSlot(Connection c) throws SQLException {
        String sql = "CREATE_REPLICATION_SLOT " + options.slotName() + (options.temporarySlot() ? " TEMPORARY" : "")
                + " PHYSICAL RESERVE_WAL";
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            options.log().accept("created " + (options.temporarySlot() ? "temporary " : "") + "replication slot '"
                    + options.slotName() + "'");
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState()) && !options.temporarySlot()) {
                return;
            }
            throw e;
        }
    }

    /**
     * The slot as the server has it: {@code READ_REPLICATION_SLOT} (PostgreSQL 15+) on the
     * replication connection, else {@code pg_replication_slots} over a normal connection; unknown
     * when neither answers.
     */
    private SlotState slotState(boolean mayUseConnection) {
        Connection c = connection;
        if (c != null && mayUseConnection) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("READ_REPLICATION_SLOT " + options.slotName())) {
                if (rs.next()) {
                    String type = rs.getString(1);
                    String restart = rs.getString(2);
                    return new SlotState(true, type != null, restart == null ? null : Lsn.parse(restart));
                }
            } catch (SQLException e) {
                // before 15: ask pg_replication_slots
            }
        }
        try (Connection normal = PgConnections.open(settings);
                PreparedStatement ps = normal.prepareStatement("select restart_lsn::text from pg_catalog.pg_replication_slots"
                        + " where slot_name = ? and slot_type = 'physical'")) {
            ps.setString(1, options.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new SlotState(true, false, null);
                }
                String restart = rs.getString(1);
                return new SlotState(true, true, restart == null ? null : Lsn.parse(restart));
            }
        } catch (SQLException | ArcaException e) {
            options.log().accept("cannot read replication slot '" + options.slotName() + "': " + e.getMessage());
            return new SlotState(false, false, null);
        }
    }

    private ArcaException missingSlot() {
        return new ArcaException(ErrorCode.FAILURE, "replication slot '" + options.slotName() + "' does not exist at "
                + settings.hostAndPort(), "create it (SELECT pg_create_physical_replication_slot('" + options.slotName()
                + "', true)), let arca create it (--create-slot), or stream without one (--no-slot)");
    }

    /**
     * Starts streaming {@code tli} at {@code from}: pgjdbc's physical stream for the server's current
     * timeline; for an ancestor, the same command with {@code TIMELINE} through pgjdbc's copy API
     * (its builder has no such option), read by pgjdbc's own stream class.
     */
    private PGReplicationStream startStream(TimelineId tli, long from, boolean historic) throws SQLException {
        Connection c = connection;
        PGConnection pg = c.unwrap(PGConnection.class);
        int interval = (int) options.statusInterval().toMillis();
        if (!historic) {
            ChainedPhysicalStreamBuilder builder = pg.getReplicationAPI().replicationStream().physical()
                    .withStartPosition(LogSequenceNumber.valueOf(from))
                    .withStatusInterval(interval, TimeUnit.MILLISECONDS)
                    // pgjdbc would otherwise report the server's position as flushed on keepalives,
                    // and a slot would release WAL that is not archived
                    .withAutomaticFlush(false);
            if (options.slotName() != null) {
                builder = builder.withSlotName(options.slotName());
            }
            return builder.start();
        }
        c.setNetworkTimeout(Runnable::run, interval);
        CopyDual copy = pg.getCopyAPI().copyDual("START_REPLICATION "
                + (options.slotName() != null ? "SLOT " + options.slotName() + " " : "")
                + "PHYSICAL " + new Lsn(from) + " TIMELINE " + tli.value());
        return new V3PGReplicationStream(copy, LogSequenceNumber.valueOf(from), interval, false, ReplicationType.PHYSICAL);
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        closeQuietly(c);
    }

    // ---- helpers -------------------------------------------------------------------------

    private long segmentStart(long lsn) {
        return lsn - Long.remainderUnsigned(lsn, segmentSize);
    }

    /** Sleeps up to {@code millis}, waking early on stop() or stopAt(). */
    private void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (sleeper) {
            long left;
            while (!stopping.get() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleeper, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                    return;
                }
            }
        }
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57P")) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Failures that pass with time: lost connections, and a slot still held by our previous connection's walsender. */
    private static boolean isPassing(SQLException e) {
        return isConnectionFailure(e) || "55006".equals(e.getSQLState()) || "53300".equals(e.getSQLState());
    }

    private static boolean isWalRemoved(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("has already been removed");
    }

    private static ArcaException commandFailed(ConnectionSettings settings, SQLException e) {
        if (isConnectionFailure(e)) {
            return PgConnections.map(settings, e);
        }
        String serverHint = e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getHint() : null;
        return new ArcaException(ErrorCode.PG_CONNECTION, "replication command failed at " + settings.hostAndPort() + ": "
                + firstLine(e), serverHint != null ? "the server says: " + serverHint
                        : "check the server log; the user needs the REPLICATION attribute", e);
    }

    private static ArcaException spoolFailure(Path file, IOException e) {
        return new ArcaException(ErrorCode.FAILURE, "cannot write the spool file '" + file + "': " + e.getMessage(),
                "give --spool a writable directory with room for a few WAL segments", e);
    }

    private static String firstLine(SQLException e) {
        if (e == null || e.getMessage() == null) {
            return "unknown error";
        }
        String line = e.getMessage().strip().lines().findFirst().orElse("");
        if (line.startsWith("ERROR: ") || line.startsWith("FATAL: ")) {
            line = line.substring(7);
        }
        return line.isEmpty() ? line : Character.toLowerCase(line.charAt(0)) + line.substring(1);
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // the connection is gone either way
            }
        }
    }

}
