package io.arca.app.wal;

import io.arca.app.job.RunContext;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.core.storage.Storage;
import io.arca.core.storage.Storages;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import io.arca.postgres.wal.WalReceiver;
import io.arca.postgres.wal.WalReceiverOptions;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a server's WAL into a repository's WAL archive ({@link WalReceiver}) until it is told to
 * stop: by {@link Streaming#stop}, or by an interrupt of the thread that runs it. Either way the
 * unfinished segment is archived as partial and the run returns normally, so that its record says
 * how far the archive reaches. The interrupt is how {@code arca server} stops (and later restarts)
 * the stream: it is taken as the request to stop, and the thread's interrupt status is cleared.
 *
 * <p>The repository takes no lease (WAL is archived beside backups and prunes, as
 * {@code archive_command} does) and is named for the run's record.
 */
public final class WalReceiveService {
    private final Clock clock;

    public WalReceiveService(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /** What a front end hears while WAL streams; called on the streaming threads, each method quick. */
    public interface Observer {
        Observer NONE = new Observer() { };

        /** Streaming begins; {@code streaming} stops it. */
        default void started(Streaming streaming) {
        }

        /** A file was archived (or was already). */
        default void archived(WalFileName name, WalArchive.Pushed pushed) {
        }

        /** A line worth telling the user: reconnects, timeline switches, retries. */
        default void log(String line) {
        }
    }

    /** A stream under way. */
    public static final class Streaming {
        private final WalReceiver receiver;
        private final Lsn start;
        private volatile String ended;

        private Streaming(WalReceiver receiver, Lsn start) {
            this.receiver = receiver;
            this.start = start;
        }

        public long systemId() {
            return receiver.systemId();
        }

        public TimelineId timeline() {
            return receiver.timeline();
        }

        /** Where streaming starts: after the newest segment archived, else the slot's or the server's position. */
        public Lsn start() {
            return start;
        }

        /** Stops the stream (thread-safe): it archives what it has and the run returns; {@code why} is recorded. */
        public void stop(String why) {
            if (ended == null) {
                ended = why;
            }
            receiver.stop();
        }
    }

    /**
     * Streams as {@code request} says until stopped.
     *
     * @throws io.arca.core.error.ArcaException when the repository or the server cannot be reached at
     *     the start, or the stream fails in a way retrying does not mend (see {@link WalReceiver#run})
     */
    public WalReceiveResult run(WalReceiveRequest request, RunContext context, Observer observer) {
        Storage storage = Storages.open(request.repository());
        context.closeAtEnd(storage);
        Repository repo = Repository.open(storage, clock);
        context.recordIn(repo);
        repo.requireEncryption(request.keys());
        CodecSpec codec = request.compression() == null ? WalArchive.defaultCodec(repo.defaultCodec())
                : request.compression().withWorkers(1);
        WalArchive archive = new WalArchive(repo.withKeys(request.keys(), null), codec);
        WalReceiverOptions options = new WalReceiverOptions(request.slot(), false, request.createSlot(),
                request.spool(), request.statusInterval(), null, observer::log);
        try (WalReceiver receiver = WalReceiver.open(request.database(), archive, options)) {
            AtomicLong files = new AtomicLong();
            receiver.onPushed((name, pushed) -> {
                if (pushed == WalArchive.Pushed.ARCHIVED) {
                    files.incrementAndGet();
                }
                observer.archived(name, pushed);
            });
            Streaming streaming = new Streaming(receiver, receiver.defaultStart());
            observer.started(streaming);
            Lsn reached = untilStopped(receiver, streaming, request.subject());
            return new WalReceiveResult(Long.toUnsignedString(receiver.systemId()), streaming.timeline().value(),
                    streaming.start().toString(), reached.toString(), files.get(),
                    streaming.ended == null ? "stopped" : streaming.ended);
        }
    }

    /**
     * Runs the receiver on a thread of its own, so that an interrupt of this one stops it cleanly
     * (the receiver itself treats an interrupt as a failure and would lose the partial segment).
     */
    private static Lsn untilStopped(WalReceiver receiver, Streaming streaming, String subject) {
        FutureTask<Lsn> task = new FutureTask<>(() -> receiver.run(null, null));
        new Thread(task, "arca-wal-receive-" + subject).start();
        while (true) {
            try {
                return task.get();
            } catch (InterruptedException e) {
                streaming.stop("interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
