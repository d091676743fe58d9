package io.arca.cli;

import io.arca.app.wal.WalReceiveRequest;
import io.arca.app.wal.WalReceiveResult;
import io.arca.app.wal.WalReceiveService;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.wal.WalArchive;
import io.arca.postgres.wal.WalFileName;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca wal-receive}: streams WAL into the repository continuously, as pg_receivewal does. */
@Command(name = "wal-receive", mixinStandardHelpOptions = true,
        description = {"Stream WAL from PostgreSQL into the repository's WAL archive continuously, over the replication"
                + " protocol (as pg_receivewal does): each segment is archived as soon as it is complete, so the"
                + " recovery point is seconds behind, not a segment (16 MB) behind as with archive_command alone.",
                "Runs until SIGTERM or SIGINT, then archives the unfinished segment as <segment>.partial and exits 0."
                        + " Without a start position it continues after the newest segment in the archive.",
                "The replication slot (default: arca, created when missing) keeps the server from removing WAL that is"
                        + " not archived yet; it also keeps WAL while wal-receive is down, so drop it"
                        + " (SELECT pg_drop_replication_slot('arca')) when you stop using it. The user needs the"
                        + " REPLICATION attribute and a replication line in pg_hba.conf.",
                "Can run beside archive_command = 'arca wal-push %%p' on the same repository: a segment archived by"
                        + " both has the same content, which the archive accepts twice. See docs/wal-streaming.md.",
                "When it ends, a run record (job wal-receive) in the repository says how far the archive reaches and"
                        + " how it ended."})
final class WalReceiveCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    ProgressOptions progress;
    @Mixin
    WalCompressionOptions compression;

    @Option(names = "--db", paramLabel = "URL", defaultValue = "${env:ARCA_DB}",
            description = "The server to stream from: postgresql://user@host:port/dbname (env ARCA_DB; the password from"
                    + " PGPASSWORD, ARCA_DB_PASSWORD or ~/.pgpass). The database only matters for reading the slot.")
    String db;

    @Option(names = "--slot", paramLabel = "NAME", defaultValue = "arca",
            description = "Physical replication slot to stream through (default: ${DEFAULT-VALUE}).")
    String slot;

    @Option(names = "--create-slot", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the slot when it does not exist (default); --no-create-slot: it must exist.")
    boolean createSlot;

    @Option(names = "--no-slot",
            description = "Stream without a slot: nothing holds WAL on the server for the archive, so WAL written while"
                    + " wal-receive is down or behind may be gone (archive_command still covers it).")
    boolean noSlot;

    @Option(names = "--spool", paramLabel = "DIR",
            description = "Where the segment being received waits until it is complete and archived (a few segments at"
                    + " most; default: a temporary directory).")
    Path spool;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often the position is reported to the server at least (default: ${DEFAULT-VALUE}).")
    String statusInterval;

    @Option(names = "--subject", paramLabel = "NAME",
            description = "The subject of the run's record, written when streaming ends (default: the database's name).")
    String subject;

    @Override
    public Integer call() {
        if (db == null || db.isBlank()) {
            throw new UsageException("missing --db URL: the server to stream WAL from (or set ARCA_DB)");
        }
        Duration interval = DurationText.parse(statusInterval);
        if (interval.isZero()) {
            throw new UsageException("--status-interval must be at least 1s");
        }
        ConnectionSettings settings = ConnectionSettings.parse(db, System.getenv());
        EncryptionKeys keys = Keys.encryption(publicKeys, passphrase);
        StorageUrl url = repository.url();
        String name = subject != null ? subject : settings.database();
        WalReceiveRequest request = new WalReceiveRequest(url, settings, name, keys,
                compression.compression == null ? null : CodecSpec.parse(compression.compression),
                noSlot ? null : slot, createSlot, spool, interval);
        StopOnSignals[] signals = {null};
        WalReceiveResult result;
        try {
            result = Runs.record(root, RunRecord.Job.WAL_RECEIVE, name,
                    ctx -> new WalReceiveService(Clock.systemUTC()).run(request, ctx, new WalReceiveService.Observer() {
                        @Override
                        public void started(WalReceiveService.Streaming streaming) {
                            root.out.println("receiving WAL of system " + Long.toUnsignedString(streaming.systemId())
                                    + ", timeline " + streaming.timeline() + ", from " + streaming.start() + " ("
                                    + (noSlot ? "no slot" : "slot '" + slot + "'") + ") into " + url);
                            signals[0] = new StopOnSignals(streaming);
                        }

                        @Override
                        public void archived(WalFileName file, WalArchive.Pushed pushed) {
                            if (progress.verbose) {
                                root.out.println((pushed == WalArchive.Pushed.ARCHIVED ? "archived "
                                        : "already archived ") + file);
                            }
                        }

                        @Override
                        public void log(String line) {
                            root.err.println("wal-receive: " + line);
                        }
                    }));
        } finally {
            if (signals[0] != null) {
                signals[0].close();
            }
        }
        root.out.println("stopped: WAL up to " + result.reached() + " is archived");
        return 0;
    }

    /**
     * SIGTERM and SIGINT stop the receiver, which then archives its partial segment and lets the
     * command return normally (exit 0). A signal handler rather than a shutdown hook: a hook runs
     * once the JVM is already exiting, with the signal's exit status (143), and System.exit would
     * block. The handler is sun.misc.Signal's (in jdk.unsupported), reached by reflection so that
     * the build does not warn about it; where the JVM does not let us handle signals (-Xrs), a
     * shutdown hook still stops the receiver and waits for the partial segment.
     */
    private static final class StopOnSignals implements AutoCloseable {
        private final List<Object[]> previous = new ArrayList<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private Method handle;
        private Thread hook;

        StopOnSignals(WalReceiveService.Streaming receiver) {
            for (String name : List.of("TERM", "INT")) {
                try {
                    Class<?> signalClass = Class.forName("sun.misc.Signal");
                    Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                    Object signal = signalClass.getConstructor(String.class).newInstance(name);
                    Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                            (proxy, method, args) -> switch (method.getName()) {
                                case "handle" -> {
                                    receiver.stop("SIG" + name);
                                    yield null;
                                }
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> "arca wal-receive stop handler";
                            });
                    handle = signalClass.getMethod("handle", signalClass, handlerClass);
                    previous.add(new Object[] {signal, handle.invoke(null, signal, handler)});
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    addHook(receiver);
                }
            }
        }

        private void addHook(WalReceiveService.Streaming receiver) {
            if (hook != null) {
                return;
            }
            hook = new Thread(() -> {
                receiver.stop("shutdown");
                try {
                    done.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }, "arca-wal-receive-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            done.countDown();
            for (Object[] p : previous) {
                try {
                    handle.invoke(null, p[0], p[1]);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // the process ends right after
                }
            }
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it returns now that the run is done
                }
            }
        }
    }
}
