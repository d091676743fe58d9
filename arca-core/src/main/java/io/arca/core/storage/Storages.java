package io.arca.core.storage;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens a store for a URL through the registered {@link StorageProvider}s. */
public final class Storages {
    private Storages() {
    }

    /** Opens the store for {@code url}, wrapped in {@link RetryingStorage} with default policy. */
    public static Storage open(StorageUrl url) {
        TreeSet<String> known = new TreeSet<>();
        for (StorageProvider provider : ServiceLoader.load(StorageProvider.class, Storages.class.getClassLoader())) {
            if (provider.scheme().equals(url.scheme())) {
                return new RetryingStorage(provider.open(url), RetryPolicy.DEFAULT);
            }
            known.add(provider.scheme());
        }
        throw new ArcaException(ErrorCode.USAGE, "unknown repository URL scheme '" + url.scheme() + "' in '" + url + "'",
                "use one of: " + String.join(", ", known) + " (or a plain path)");
    }
}
