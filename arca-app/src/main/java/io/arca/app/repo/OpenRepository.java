package io.arca.app.repo;

import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.repo.lease.Lease;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.lease.Leases;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.time.Duration;

/**
 * An opened repository with a lease held in it (see {@link Leases}); closing releases the lease and
 * the store. Commands that write or delete backups open their repositories through this.
 */
public final class OpenRepository implements AutoCloseable {
    private final Storage storage;
    private final Repository repository;
    private final Lease lease;

    private OpenRepository(Storage storage, Repository repository, Lease lease) {
        this.storage = storage;
        this.repository = repository;
        this.lease = lease;
    }

    public static OpenRepository open(StorageUrl url, LeaseMode mode, String purpose) {
        Storage storage = Storages.open(url);
        try {
            Repository repository = Repository.open(storage, Clock.systemUTC());
            Lease lease = leases(storage).acquire(mode, purpose);
            return new OpenRepository(storage, repository, lease);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /** The lease keeper of a store, with the time to live from the environment. */
    public static Leases leases(Storage storage) {
        return new Leases(storage, Clock.systemUTC(), leaseTtl());
    }

    /** {@code ARCA_LEASE_TTL} (such as {@code 90s}, {@code 5m}) or the default of {@link Leases}. */
    private static Duration leaseTtl() {
        String ttl = System.getenv("ARCA_LEASE_TTL");
        if (ttl == null || ttl.isBlank()) {
            return Leases.DEFAULT_TTL;
        }
        Duration d;
        try {
            d = DurationText.parse(ttl);
        } catch (IllegalArgumentException e) {
            throw new UsageException("ARCA_LEASE_TTL: " + e.getMessage(), e);
        }
        if (d.isZero()) {
            throw new UsageException("ARCA_LEASE_TTL: '" + ttl + "' is zero: a lease must live a while",
                    "set ARCA_LEASE_TTL to e.g. 90s or 5m, or unset it for the default", null);
        }
        return d;
    }

    public Repository repository() {
        return repository;
    }

    public Storage storage() {
        return storage;
    }

    public Lease lease() {
        return lease;
    }

    @Override
    public void close() {
        try {
            lease.close();
        } finally {
            storage.close();
        }
    }
}
