package io.arca.core.storage;

import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens a store for a URL through the registered {@link StorageProvider}s. */
public final class Storages {
    private Storages() {
    }

    /** Opens the store for {@code url}, wrapped in {@link RetryingStorage} with default policy. */
    public static Storage open(StorageUrl url) {
        TreeSet<String> known = new TreeSet<>();
        StorageProvider chosen = null;
        for (StorageProvider provider : ServiceLoader.load(StorageProvider.class, Storages.class.getClassLoader())) {
            known.add(provider.scheme());
            if (provider.scheme().equals(url.scheme()) && (chosen == null || provider.priority() > chosen.priority())) {
                chosen = provider;
            }
        }
        if (chosen == null) {
            throw new StorageAccessException("unknown repository URL scheme '" + url.scheme() + "' in '" + url + "'",
                    "use one of: " + String.join(", ", known) + " (or a plain path)", null);
        }
        return new RetryingStorage(chosen.open(url), RetryPolicy.DEFAULT);
    }
}
