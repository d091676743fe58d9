package io.arca.server;

import io.arca.app.job.RunContext;
import io.arca.app.job.RunResult;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job whose content does not matter: it notes that it started (per subject), records its run in
 * {@code recordIn} when given, and waits until the test opens its gate for that subject, or until
 * it is interrupted (then it fails as a real job does: {@link ErrorCode#INTERRUPTED}).
 */
final class GateJob implements SubjectJob {
    final List<String> started = new CopyOnWriteArrayList<>();
    final List<String> interrupted = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Repository recordIn;
    private final boolean open;

    /** A gate that waits for {@link #open}. */
    GateJob() {
        this(null, false);
    }

    GateJob(Repository recordIn, boolean open) {
        this.recordIn = recordIn;
        this.open = open;
    }

    /** Lets the runs of {@code subject} (this one and the ones after it) end. */
    void open(String subject) {
        gate(subject).countDown();
    }

    private CountDownLatch gate(String subject) {
        return gates.computeIfAbsent(subject, s -> new CountDownLatch(open ? 0 : 1));
    }

    @Override
    public RunResult run(Subject subject, RunContext context) {
        if (recordIn != null) {
            context.recordIn(recordIn);
        }
        int now = running.incrementAndGet();
        mostAtOnce.accumulateAndGet(now, Math::max);
        started.add(subject.name());
        try {
            gate(subject.name()).await();
        } catch (InterruptedException e) {
            interrupted.add(subject.name());
            throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while running for '" + subject.name() + "'",
                    null, e);
        } finally {
            running.decrementAndGet();
        }
        return new RunResult() {
            @Override
            public Long bytes() {
                return 42L;
            }
        };
    }
}
