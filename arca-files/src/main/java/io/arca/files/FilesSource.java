package io.arca.files;

import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.BackupSource;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.Subject;
import io.arca.core.source.VerifyContext;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code files} source: {@code arca backup --files PATH} (repeatable) stores each named file
 * or directory as a POSIX tar of its own, one section per path with the subject {@code
 * files://<host>/<absolute path>}; {@code arca restore ID --files-to DIR} brings every files
 * section back under {@code DIR} ({@code DIR/secrets/...}, {@code DIR/.env}).
 *
 * <p>One tar per path rather than one per backup: each section then owns its artifact, so a
 * restore, verify, {@code show} and a by-hand {@code tar -x} handle one path without reading the
 * others, and retention series stay per path. The artifact is {@code files/<name>.tar} (the
 * path's last name, made safe for object stores: {@code .env} gives {@code files/env.tar}).
 * Two paths with the same last name would restore onto each other, so a backup refuses them.
 *
 * <p>See {@link TreeArchiver} for what the tar holds and {@link TreeRestore} for how a restore
 * avoids leaving half of itself; {@code docs/files.md} for users.
 */
public final class FilesSource implements BackupSource {
    /** The source id in manifests. */
    public static final String ID = "files";
    /** The artifact format recorded in the manifest. */
    public static final String FORMAT = "tar";

    static final String FILES = "--files";
    static final String FILES_TO = "--files-to";
    static final String FILES_ONLY = "--files-only";

    private final TreeArchiver.Interference interference;

    public FilesSource() {
        this(TreeArchiver.Interference.NONE);
    }

    /** With a test's interference in file reads (see {@link TreeArchiver.Interference}). */
    FilesSource(TreeArchiver.Interference interference) {
        this.interference = interference;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String title() {
        return "files";
    }

    @Override
    public List<SourceOption> backupOptions() {
        return List.of(SourceOption.values(FILES, "PATH", "A file or directory to add to the backup as a tar"
                + " (modes, owners and symbolic links kept; links are never followed). Repeatable."));
    }

    @Override
    public boolean backupSelected(SourceOptions options) {
        return options.has(FILES);
    }

    @Override
    public void checkBackup(SourceOptions options) {
        namedPaths(options);
    }

    /** The {@code --files} values as absolute, normalized paths that exist, with distinct last names. */
    static List<Path> namedPaths(SourceOptions options) {
        List<Path> paths = new ArrayList<>();
        Map<String, Path> byName = new HashMap<>();
        for (String value : options.all(FILES)) {
            if (value == null || value.isBlank()) {
                throw new UsageException("--files needs a path", "give a file or directory: --files ./secrets", null);
            }
            Path p;
            try {
                p = Path.of(value).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new UsageException("--files '" + value + "' is not a path: " + e.getReason());
            }
            if (p.getFileName() == null || p.getParent() == null) {
                throw new UsageException("--files '" + value + "' names the root directory",
                        "name the directories below / that you need, such as --files /etc/app", null);
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException("--files '" + value + "': no such file or directory ('" + p + "')");
            }
            Path other = byName.putIfAbsent(p.getFileName().toString(), p);
            if (other != null) {
                throw new UsageException(other.equals(p) ? "--files '" + p + "' is given twice"
                        : "--files '" + other + "' and '" + p + "' would both restore as '" + p.getFileName() + "'",
                        "back up their common parent directory instead, or one of them", null);
            }
            paths.add(p);
        }
        if (paths.isEmpty()) {
            throw new UsageException("--files needs a path", "give a file or directory: --files ./secrets", null);
        }
        return paths;
    }

    @Override
    public List<BackupPart> backup(BackupContext context, SourceOptions options) throws IOException {
        List<BackupPart> parts = new ArrayList<>();
        Set<String> artifactNames = new HashSet<>();
        for (Path path : namedPaths(options)) {
            String name = artifactName(path, artifactNames);
            context.progress().note("files: archiving '" + path + "'");
            ArtifactRecord record;
            TreeArchiver.Result result;
            try (ArtifactOutput out = context.pending().openArtifact(name, context.codec())) {
                // the tar's 512-byte headers would otherwise each be one call through codec and digest
                BufferedOutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
                result = new TreeArchiver(context.progress(), interference).archive(path, buffered);
                buffered.flush();
                ArtifactDigest digest = out.finish();
                record = ArtifactRecord.of(name, ID, FORMAT, out, digest, List.of());
            }
            FilesDetails details = new FilesDetails(path.toString(), path.getFileName().toString(), result.entries(),
                    result.notes());
            Subject subject = Subject.of("files", TempFiles.hostName(), path.toString());
            parts.add(new BackupPart(Section.of(ID, subject, List.of(), false, details), List.of(record), Map.of(),
                    Map.of()));
        }
        return parts;
    }

    /** {@code files/<last name>.tar}, made of safe characters and distinct within the backup. */
    static String artifactName(Path path, Set<String> taken) {
        String base = path.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.+", "");
        if (base.isEmpty()) {
            base = "file";
        }
        String name = "files/" + base + ".tar";
        for (int i = 2; !taken.add(name); i++) {
            name = "files/" + base + "-" + i + ".tar";
        }
        return name;
    }

    @Override
    public List<SourceOption> restoreOptions() {
        return List.of(
                SourceOption.value(FILES_TO, "DIR", "Restore the backup's files and directories under DIR"
                        + " (DIR/secrets/...). Existing files are kept and stop the restore unless --clean."),
                SourceOption.flag(FILES_ONLY, "Restore only the files (with --files-to), not the database."));
    }

    @Override
    public boolean restoreSelected(SourceOptions options) {
        return options.has(FILES_TO);
    }

    @Override
    public boolean restoreOnly(SourceOptions options) {
        return options.has(FILES_ONLY);
    }

    @Override
    public void checkRestore(SourceOptions options) {
        if (options.has(FILES_ONLY) && !options.has(FILES_TO)) {
            throw new UsageException("--files-only needs --files-to DIR", "say where to restore the files:"
                    + " --files-to ./restored", null);
        }
        if (options.has(FILES_TO)) {
            restoreDirectory(options);
        }
    }

    /** The {@code --files-to} directory, absolute; it may not exist yet, but must not be something else. */
    static Path restoreDirectory(SourceOptions options) {
        String value = options.value(FILES_TO).orElse("");
        if (value.isBlank()) {
            throw new UsageException("--files-to needs a directory", "say where to restore the files:"
                    + " --files-to ./restored", null);
        }
        Path dir;
        try {
            dir = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("--files-to '" + value + "' is not a path: " + e.getReason());
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--files-to '" + value + "' is not a directory");
        }
        return dir;
    }

    /**
     * Refuses, before anything of the backup is restored, what {@link #restore} would refuse:
     * existing files without {@code --clean}, directories where the backup has files, unsafe
     * names, and two sections that would restore onto each other.
     */
    @Override
    public void checkTargets(RestoreContext context, List<Section> sections, SourceOptions options)
            throws IOException {
        Path dir = realDirectory(options);
        Map<String, String> roots = new HashMap<>();
        for (Section section : sections) {
            FilesDetails details = details(section);
            String other = roots.putIfAbsent(details.root(), details.path());
            if (other != null) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "'" + other + "' and '" + details.path()
                        + "' of backup '" + context.manifest().backupId() + "' would both restore as '" + dir
                        .resolve(details.root()) + "'", "nothing was restored; restore them into separate"
                        + " directories by hand (see docs/files.md)");
            }
            new TreeRestore(details, dir, context.clean(), context.progress()).check(what(context, details));
        }
    }

    @Override
    public String restore(RestoreContext context, Section section, SourceOptions options) throws IOException {
        Path dir = realDirectory(options);
        FilesDetails details = details(section);
        ArtifactRecord artifact = artifactOf(context.manifest(), section);
        TreeRestore.Outcome outcome = new TreeRestore(details, dir, context.clean(), context.progress())
                .run(() -> context.repository().openArtifact(context.manifest(), artifact), what(context, details));
        StringBuilder line = new StringBuilder("restored into '").append(dir.resolve(details.root())).append("': ")
                .append(outcome.entries()).append(outcome.entries() == 1 ? " entry" : " entries");
        if (outcome.replaced() > 0) {
            line.append(", ").append(outcome.replaced()).append(" replaced");
        }
        if (outcome.directoriesKept() > 0) {
            line.append(", ").append(outcome.directoriesKept()).append(" existing director")
                    .append(outcome.directoriesKept() == 1 ? "y" : "ies").append(" kept");
        }
        return line.toString();
    }

    /** The {@code --files-to} directory, with a link the user named there resolved (the restore never follows one). */
    private static Path realDirectory(SourceOptions options) throws IOException {
        Path dir = restoreDirectory(options);
        return Files.isDirectory(dir) ? dir.toRealPath() : dir;
    }

    private static String what(RestoreContext context, FilesDetails details) {
        return "'" + details.path() + "' of backup '" + context.manifest().backupId() + "'";
    }

    @Override
    public List<String> contents(Repository repository, BackupManifest manifest, Section section) {
        return details(section).entries().stream().map(FilesDetails.Entry::describe).toList();
    }

    @Override
    public List<String> verify(VerifyContext context, Section section) throws IOException {
        FilesDetails details = details(section);
        List<String> problems = new ArrayList<>();
        for (String p : ArchiveCheck.unsafe(details)) {
            problems.add("'" + details.path() + "': " + p);
        }
        ArtifactRecord artifact = artifactOf(context.manifest(), section);
        try (InputStream in = context.repository().openArtifact(context.manifest(), artifact)) {
            for (String p : ArchiveCheck.check(in, details, ArchiveCheck.Sink.NONE, false)) {
                problems.add("'" + details.path() + "' (" + artifact.name() + "): " + p);
            }
        } catch (TarReader.FormatException e) {
            problems.add("'" + details.path() + "' (" + artifact.name() + "): " + e.getMessage());
        } catch (ArcaException e) {
            if (e.code() != ErrorCode.VERIFICATION_FAILED) {
                throw e;
            }
            problems.add(e.getMessage());
        }
        return problems;
    }

    private static FilesDetails details(Section section) {
        FilesDetails details = section.details(FilesDetails.class);
        if (details == null) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the files section of '" + section.subject()
                    + "' has no details", "the manifest was changed or damaged: use another backup");
        }
        return details;
    }

    private static ArtifactRecord artifactOf(BackupManifest manifest, Section section) {
        List<ArtifactRecord> artifacts = manifest.artifactsOf(section);
        if (artifacts.size() != 1) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the files section of '" + section.subject()
                    + "' in backup '" + manifest.backupId() + "' has " + artifacts.size() + " artifacts, not one",
                    "the manifest was changed or damaged: use another backup");
        }
        return artifacts.get(0);
    }
}
