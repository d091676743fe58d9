package io.arca.server.http;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One repository named in {@code arca.yaml}, as the API reads it: no lease and no key, so a read
 * never waits for a backup and never needs a secret.
 *
 * <p>Backups come from a catalog kept in memory: a manifest is never rewritten once it exists, so
 * a refresh lists {@code backups/} and reads only the manifests it has not seen (and forgets the
 * folders that are gone). A catalog older than the refresh interval is served while one refresh
 * runs in the background, so that a list of thousands of backups answers in milliseconds; with an
 * interval of zero every read lists the repository first.
 */
final class RepositoryView implements AutoCloseable {
    private static final String BACKUPS = "backups/";
    private static final String MANIFEST = "/" + Repository.MANIFEST_FILE;

    private final String name;
    private final String url;
    private final Clock clock;
    private final Duration refreshInterval;
    private final Executor background;
    private final Object lock = new Object();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private Storage storage;
    private Repository repository;
    private volatile Catalog catalog;

    /** The catalog at one time: manifests by folder, and the backups newest first. */
    private record Catalog(Instant readAt, Map<String, BackupManifest> byFolder, List<BackupManifest> newestFirst) {
    }

    RepositoryView(String name, String url, Clock clock, Duration refreshInterval, Executor background) {
        this.name = Objects.requireNonNull(name);
        this.url = Objects.requireNonNull(url, "url of repository " + name);
        this.clock = clock;
        this.refreshInterval = refreshInterval;
        this.background = background;
    }

    String name() {
        return name;
    }

    /** The repository, opened on first use and again after a failure (it may not exist yet at start). */
    Repository repository() {
        synchronized (lock) {
            if (repository == null) {
                if (storage == null) {
                    storage = Storages.open(StorageUrl.parse(url));
                }
                repository = Repository.open(storage, clock);
            }
            return repository;
        }
    }

    /** Reads {@code arca.json} now: throws when the repository cannot be read. */
    void checkReadable() {
        Repository r = repository();
        Repository.open(r.storage(), clock);
    }

    /** Complete backups, newest first (damaged and incomplete ones left out, as {@code arca list} does). */
    List<BackupManifest> backups() {
        Catalog c = catalog;
        if (c == null || refreshInterval.isZero()) {
            return refresh().newestFirst();
        }
        if (Duration.between(c.readAt(), clock.instant()).compareTo(refreshInterval) >= 0
                && refreshing.compareAndSet(false, true)) {
            background.execute(() -> {
                try {
                    refresh();
                } catch (RuntimeException e) {
                    // the next request tries again; meanwhile the last catalog is served
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return c.newestFirst();
    }

    /** A complete backup by its full id, or null. */
    BackupManifest backup(String id) {
        if (!BackupId.isValid(id)) {
            return null;
        }
        // by the catalog first; a backup committed since the last refresh is read directly
        for (BackupManifest m : backups()) {
            if (m.backupId().equals(id)) {
                return m;
            }
        }
        BackupId backupId = new BackupId(id);
        if (repository().storage().stat(Repository.key(backupId, Repository.MANIFEST_FILE)).isEmpty()) {
            return null;
        }
        try {
            return repository().find(id).filter(m -> m.backupId().equals(id)).orElse(null);
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.VERIFICATION_FAILED || e.code() == ErrorCode.REPOSITORY_VERSION) {
                return null; // damaged: not listed, so not found
            }
            throw e;
        }
    }

    List<DrillRecord> drills() {
        return repository().drills();
    }

    private Catalog refresh() {
        synchronized (lock) {
            Repository repo = repository();
            Catalog old = catalog;
            Map<String, Boolean> folders = new HashMap<>();
            for (ObjectInfo info : repo.storage().list(BACKUPS)) {
                String folder = folderOf(info.key());
                if (folder != null) {
                    folders.merge(folder, info.key().equals(folder + MANIFEST), Boolean::logicalOr);
                }
            }
            Map<String, BackupManifest> byFolder = new HashMap<>();
            Set<String> sorted = new TreeSet<>(folders.keySet());
            for (String folder : sorted) {
                if (!folders.get(folder)) {
                    continue; // incomplete: no manifest yet
                }
                BackupManifest m = old == null ? null : old.byFolder().get(folder);
                if (m == null) {
                    m = read(repo, folder);
                }
                if (m != null) {
                    byFolder.put(folder, m);
                }
            }
            List<BackupManifest> newestFirst = new ArrayList<>(byFolder.values());
            newestFirst.sort(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId)
                    .reversed());
            Catalog c = new Catalog(clock.instant(), byFolder, List.copyOf(newestFirst));
            catalog = c;
            return c;
        }
    }

    /** The manifest of {@code folder}, read and checked by the repository; null when damaged. */
    private static BackupManifest read(Repository repo, String folder) {
        String id = folder.substring(folder.lastIndexOf('/') + 1);
        if (!BackupId.isValid(id) || !new BackupId(id).directory().equals(folder)) {
            return null;
        }
        try {
            return repo.find(id).filter(m -> m.backupId().equals(id)).orElse(null);
        } catch (ArcaException e) {
            if (e.code() == ErrorCode.VERIFICATION_FAILED || e.code() == ErrorCode.REPOSITORY_VERSION
                    || e.code() == ErrorCode.BACKUP_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** {@code backups/YYYY/MM/DD/<id>} holding {@code key}, or null. */
    private static String folderOf(String key) {
        int end = -1;
        for (int i = 0; i < 5; i++) {
            end = key.indexOf('/', end + 1);
            if (end < 0) {
                return null;
            }
        }
        return key.substring(0, end);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (storage != null) {
                storage.close();
                storage = null;
                repository = null;
            }
        }
    }
}
