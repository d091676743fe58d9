package io.arca.core.source;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The {@link BackupSource}s on the class path, found with {@link ServiceLoader} and checked for
 * distinct ids and option names.
 */
public final class BackupSources {
    private final List<BackupSource> sources;

    private BackupSources(List<BackupSource> sources) {
        Set<String> ids = new HashSet<>();
        for (BackupSource s : sources) {
            if (!ids.add(s.id())) {
                throw new IllegalStateException("two backup sources have the id '" + s.id() + "'");
            }
        }
        for (java.util.function.Function<BackupSource, List<SourceOption>> kind : List.<java.util.function.Function<
                BackupSource, List<SourceOption>>>of(BackupSource::backupOptions, BackupSource::restoreOptions,
                        BackupSource::drillOptions)) {
            Set<String> names = new HashSet<>();
            for (BackupSource s : sources) {
                for (SourceOption o : kind.apply(s)) {
                    if (!names.add(o.name())) {
                        throw new IllegalStateException("two backup sources have the option '" + o.name() + "'");
                    }
                }
            }
        }
        this.sources = List.copyOf(sources);
    }

    /** The sources on the class path, by id. */
    public static BackupSources load() {
        List<BackupSource> found = new ArrayList<>();
        ServiceLoader.load(BackupSource.class, BackupSources.class.getClassLoader()).forEach(found::add);
        found.sort(Comparator.comparing(BackupSource::id));
        return new BackupSources(found);
    }

    /** These sources (tests). */
    public static BackupSources of(List<BackupSource> sources) {
        return new BackupSources(sources);
    }

    public List<BackupSource> all() {
        return sources;
    }

    public Optional<BackupSource> find(String id) {
        return sources.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
