package io.arca.server;

import io.arca.app.event.JobEvent;
import io.arca.app.event.JobListener;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a task on a thread of its own after runs end (once for several runs that end while it
 * waits or works) and, when given a period, every period: the metrics reread after a run, the
 * objectives checked after a run and every few minutes. A task that fails is logged, never fatal.
 */
final class AfterRuns implements JobListener, AutoCloseable {
    private final String name;
    private final Runnable task;
    private final Consumer<String> log;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();

    AfterRuns(String name, Runnable task, Duration period, Consumer<String> log) {
        this.name = name;
        this.task = task;
        this.log = log;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "arca-" + name);
            t.setDaemon(true);
            return t;
        });
        if (period != null) {
            executor.scheduleWithFixedDelay(this::runOnce, period.toMillis(), period.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void on(JobEvent event) {
        if (event instanceof JobEvent.Finished) {
            request();
        }
    }

    /** Runs the task soon (once, however often asked before it starts). */
    void request() {
        if (pending.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    pending.set(false);
                    runOnce();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pending.set(false);
            }
        }
    }

    private void runOnce() {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.accept(name + ": " + io.arca.app.job.Failures.of(e).getMessage());
        }
    }

    /** Lets a task under way end (up to 30 s) and runs no more. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
