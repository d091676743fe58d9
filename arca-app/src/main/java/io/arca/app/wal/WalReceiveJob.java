package io.arca.app.wal;

import io.arca.app.backup.ConfiguredSubject;
import io.arca.app.job.RunContext;
import io.arca.app.job.Subject;
import io.arca.app.job.SubjectJob;
import java.time.Clock;
import java.util.Objects;

/**
 * WAL streaming for a configured subject ({@code schedules.walReceive: true}): its database's WAL
 * into the WAL archive of its first repository (with that repository's keys), through the
 * replication slot {@value #SLOT} (created when missing), until the thread running it is
 * interrupted; the server supervises it and starts it again when it ends.
 */
public final class WalReceiveJob implements SubjectJob {
    /** The replication slot the server streams through, as {@code arca wal-receive} does by default. */
    public static final String SLOT = "arca";

    private final Clock clock;

    public WalReceiveJob() {
        this(Clock.systemUTC());
    }

    public WalReceiveJob(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public WalReceiveResult run(Subject subject, RunContext context) {
        return new WalReceiveService(clock).run(request(subject), context, WalReceiveService.Observer.NONE);
    }

    /** The stream the subject's entry asks for. */
    public WalReceiveRequest request(Subject subject) {
        ConfiguredSubject s = new ConfiguredSubject(subject);
        ConfiguredSubject.Repository primary = s.repositories().get(0);
        return new WalReceiveRequest(primary.url(), s.requireDatabase("WAL streaming"), subject.name(),
                s.encryptionKeys(primary), null, SLOT, true, null, null);
    }
}
