package io.arca.cli;

import io.arca.core.repo.BackupManifest;
import io.arca.core.source.Section;
import java.util.stream.Collectors;

/** How the command line names a backup's sections. */
final class Sections {
    private Sections() {
    }

    /** {@code logical}, {@code physical}, {@code files}, {@code logical+kubernetes.objects+files}. */
    static String kind(BackupManifest m) {
        return m.sections().stream().map(s -> s.source().startsWith("postgresql.")
                ? s.source().substring("postgresql.".length()) : s.source()).distinct()
                .collect(Collectors.joining("+"));
    }

    /** Each section as {@code source subject}, joined: {@code postgresql.logical postgresql://h:5432/app, files ...}. */
    static String describe(BackupManifest m) {
        return m.sections().stream().map(s -> s.source() + " " + s.subject()).collect(Collectors.joining(", "));
    }

    /** The name of the backup's database (its PostgreSQL section's subject), or null. */
    static String databaseName(BackupManifest m) {
        return m.sections().stream().filter(s -> s.source().startsWith("postgresql.")).findFirst()
                .map(Section::subject).map(io.arca.core.source.Subject::name).orElse(null);
    }

    /** The names of the subjects of the sections that are not PostgreSQL's, joined by commas. */
    static String others(BackupManifest m) {
        return m.sections().stream().filter(s -> !s.source().startsWith("postgresql."))
                .map(s -> s.subject() == null ? s.source() : s.subject().name()).distinct()
                .collect(Collectors.joining(","));
    }

    /** What the list's DATABASE column shows for a backup without a database. */
    static String subjects(BackupManifest m) {
        return m.sections().stream().map(s -> s.subject() == null ? s.source() : s.subject().name()).distinct()
                .collect(Collectors.joining(","));
    }
}
