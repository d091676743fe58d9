package io.arca.core.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One level of the key hierarchy at a time, offered through {@link Storage#capability(Class)} by
 * stores whose service lists with a delimiter (S3). A level costs one request per thousand entries
 * however many keys lie below its folders, so a caller that needs every key below a deep prefix
 * can list the folders level by level and then the deepest folders at once ({@link #listAll}),
 * rather than page through every key in one sequence: an object store answers the pages of one
 * listing one after the other (and s3proxy's file store walks the whole tree again for each page).
 */
public interface FolderListing {

    /**
     * The level directly below {@code prefix} (empty, or ending in {@code /}): the committed
     * objects whose key has no further {@code /} after the prefix, and each distinct folder
     * {@code prefix + segment + "/"} that some committed key starts with, both sorted by key. Like
     * {@link Storage#list}, consistent with committed writes on stores with
     * {@link StorageFeature#CONSISTENT_LIST}.
     */
    Level level(String prefix);

    /**
     * One level of the hierarchy.
     *
     * @param objects the objects directly at the level
     * @param folders the folders directly below it, each ending in {@code /}
     */
    record Level(List<ObjectInfo> objects, List<String> folders) {
        public Level {
            objects = List.copyOf(objects);
            folders = List.copyOf(folders);
        }
    }

    /**
     * Every object whose key starts with {@code prefix} (empty, or ending in {@code /}), as
     * {@link Storage#list} returns them: on a store with {@link FolderListing}, level by level down
     * to {@code depth} levels below the prefix (the objects met on the way included) and then every
     * folder at that depth listed whole, {@code threads} requests at a time; on any other store, one
     * listing.
     */
    static List<ObjectInfo> listAll(Storage storage, String prefix, int depth, int threads) {
        FolderListing folders = storage.capability(FolderListing.class).orElse(null);
        if (folders == null) {
            return storage.list(prefix);
        }
        List<ObjectInfo> all = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "arca-lister");
            t.setDaemon(true);
            return t;
        });
        try {
            List<String> current = List.of(prefix);
            for (int d = 0; d < depth && !current.isEmpty(); d++) {
                List<Future<Level>> levels = new ArrayList<>();
                for (String p : current) {
                    levels.add(pool.submit(() -> folders.level(p)));
                }
                List<String> next = new ArrayList<>();
                for (Future<Level> f : levels) {
                    Level level = f.get();
                    all.addAll(level.objects());
                    next.addAll(level.folders());
                }
                current = next;
            }
            List<Future<List<ObjectInfo>>> rest = new ArrayList<>();
            for (String p : current) {
                rest.add(pool.submit(() -> storage.list(p)));
            }
            for (Future<List<ObjectInfo>> f : rest) {
                all.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing '" + prefix + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        all.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return all;
    }
}
