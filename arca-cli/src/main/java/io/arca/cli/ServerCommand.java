package io.arca.cli;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigLoader;
import io.arca.server.ArcaServer;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca server}: schedules, the HTTP API, /metrics and the status page, until a signal stops it. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run unattended: each subject's backup, physical backup, verify, drill and prune on the cron"
                + " schedules of arca.yaml (with jitter, at most server.concurrency runs at once and one per subject;"
                + " a run missed while no server ran runs once at start unless server.missedRuns is skip), WAL"
                + " streaming kept running where schedules.walReceive is true, and the HTTP API (/api/v1), /metrics,"
                + " /healthz, /readyz and the status page on server.listen. Every run writes its run record to the"
                + " repository, as the same command run from the CLI or a CronJob does.",
                "Logs one line per run start and end, and per problem, to standard error.",
                "SIGTERM or SIGINT shut it down: scheduling stops, queued runs are cancelled, running jobs may end"
                        + " for up to server.shutdownGrace (server.shutdown: finish, the default) or are interrupted"
                        + " at once (abort); interrupted jobs clean up and are recorded as failed. A second signal"
                        + " interrupts them at once. Exits 0 after the shutdown, 2 when arca.yaml has errors."
                        + " See docs/server.md."})
final class ServerCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file (default: ARCA_CONFIG, else ./arca.yaml).")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Where the HTTP side listens, over server.listen and ARCA_LISTEN (default 127.0.0.1:9187;"
                    + " port 0 for any free port).")
    String listen;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> env = System.getenv();
        List<ConfigLoader.Override> flags = listen == null ? List.of()
                : List.of(new ConfigLoader.Override("server.listen", listen, "flag --listen"));
        ArcaConfig loaded = ConfigLoader.of(env).load(ConfigLoader.file(config, env), flags);
        ServerLog log = new ServerLog(root.err, Clock.systemUTC());
        ArcaServer server = ArcaServer.builder(loaded).environment(env).listener(log).log(log).start();
        try (StopOnSignals signals = new StopOnSignals(server)) {
            while (!server.awaitStopped(Duration.ofDays(1))) {
                // runs until a signal (or the JVM's shutdown) stops it
            }
        }
        return 0;
    }

    /**
     * SIGTERM and SIGINT shut the server down as {@code server.shutdown} says; a second one
     * interrupts the running jobs at once. The shutdown runs on a thread of its own: a signal
     * handler must return. In place of {@link Signals}' handler, which would stop the children of
     * running jobs at once; put back on close. Where the JVM does not let us handle signals
     * ({@code -Xrs}), a shutdown hook shuts the server down and waits for it.
     */
    private static final class StopOnSignals implements AutoCloseable {
        private final ArcaServer server;
        private final AtomicInteger received = new AtomicInteger();
        private final List<Object[]> previous = new ArrayList<>();
        private Method handle;
        private Thread hook;

        StopOnSignals(ArcaServer server) {
            this.server = server;
            for (String name : List.of("TERM", "INT")) {
                try {
                    Class<?> signalClass = Class.forName("sun.misc.Signal");
                    Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                    Object signal = signalClass.getConstructor(String.class).newInstance(name);
                    Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                            (proxy, method, args) -> switch (method.getName()) {
                                case "handle" -> {
                                    onSignal();
                                    yield null;
                                }
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> "arca server shutdown handler";
                            });
                    handle = signalClass.getMethod("handle", signalClass, handlerClass);
                    previous.add(new Object[] {signal, handle.invoke(null, signal, handler)});
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    addHook();
                }
            }
        }

        private void onSignal() {
            if (received.incrementAndGet() == 1) {
                Thread t = new Thread(server::close, "arca-shutdown");
                t.start();
            } else {
                server.abort();
            }
        }

        private void addHook() {
            if (hook != null) {
                return;
            }
            hook = new Thread(() -> {
                server.close();
                try {
                    server.awaitStopped(Duration.ofMinutes(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "arca-server-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
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
                    // the hook is running: it returns once the server has stopped
                }
            }
        }
    }
}
