package io.arca.files;

import io.arca.core.Progress;
import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Restores one {@code files} section into a directory, all or nothing.
 *
 * <ol>
 *   <li><b>Check first</b>, from the manifest alone, before anything is read or written: which
 *       entries exist in the directory. Without {@code --clean} any existing file, link, or
 *       directory where the backup has something else stops the restore, naming them; an existing
 *       directory where the backup has a directory is kept and restored into. With {@code
 *       --clean} existing files and links are replaced; a directory where the backup has a file
 *       is never deleted (that would delete what the backup does not hold).
 *   <li><b>Extract</b> the whole artifact into a private ({@code 0700}) temporary directory
 *       {@code arca-restore-<pid>-<n>} inside the target directory, so that it is on the same
 *       file system, checking every member against the manifest (see {@link ArchiveCheck}) and
 *       the artifact's digests at its end. A member is only ever created inside a directory this
 *       extraction created, never through a link (a link in the tar followed by a member under
 *       it is refused), with {@code O_NOFOLLOW} and {@code O_EXCL}.
 *   <li><b>Move into place</b> only then, by renames within one file system: a missing top entry
 *       moves as a whole; into an existing directory each member moves on its own. The target is
 *       looked at again, without following links, right before each rename.
 *   <li>Set the directories' modes, owners and mtimes last (deepest first), since moving things
 *       into a directory changes its mtime.
 * </ol>
 *
 * <p>A failure before the moves (a damaged artifact, a full disk) leaves the target as it was; the
 * temporary directory is removed (and, if the process is killed, by the next Arca that makes one
 * there). Owners are restored when running as root, by name when the name exists here and by
 * number otherwise, as {@code tar -x} does.
 */
final class TreeRestore {
    enum Action {
        /** Nothing there: moves into place as a whole. */
        MOVE,
        /** A directory there where the backup has one: restored into. */
        MERGE,
        /** A file or link there: replaced (--clean only). */
        REPLACE,
        /** A directory there where the backup has a file or link: never replaced. */
        BLOCKED
    }

    private final FilesDetails details;
    private final Path target;
    private final boolean clean;
    private final Progress progress;
    private final Map<String, Optional<UserPrincipal>> users = new HashMap<>();
    private final Map<String, Optional<GroupPrincipal>> groups = new HashMap<>();
    private boolean asRoot;

    /** What a restore did. */
    record Outcome(int entries, int replaced, int directoriesKept) {
    }

    /**
     * @param target the directory to restore into, absolute; created when missing
     */
    TreeRestore(FilesDetails details, Path target, boolean clean, Progress progress) {
        this.details = details;
        this.target = target;
        this.clean = clean;
        this.progress = progress;
    }

    /**
     * Restores the section.
     *
     * @param artifact opens the artifact's plain bytes (digests checked at the end of the stream);
     *     opened only after the check of the target passed
     * @param what the section, for messages: {@code '/srv/app/secrets' of backup '2026...'}
     */
    Outcome run(Supplier<InputStream> artifact, String what) throws IOException {
        Map<String, Action> plan = check(what);
        List<Path> created = createTarget();
        Path temp = null;
        boolean placed = false;
        try {
            temp = TempFiles.createPrivateDirectory(target, "arca-restore-");
            asRoot = ((Integer) Files.getAttribute(temp, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == 0;
            extract(artifact, temp, what);
            Outcome outcome = moveIntoPlace(plan, temp);
            placed = true;
            applyDirectoryMetadata(plan);
            return outcome;
        } finally {
            TempFiles.deleteQuietly(temp);
            if (!placed) {
                for (int i = created.size() - 1; i >= 0; i--) {
                    try {
                        Files.deleteIfExists(created.get(i));
                    } catch (IOException e) {
                        // not empty after all: leave it
                    }
                }
            }
        }
    }

    /**
     * The first step alone: checks the manifest's names and what exists in the target, and
     * throws what the restore would refuse. Reads no artifact and writes nothing.
     *
     * @return what happens to each entry not under one that moves as a whole
     */
    Map<String, Action> check(String what) throws IOException {
        List<String> unsafe = ArchiveCheck.unsafe(details);
        if (!unsafe.isEmpty()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the manifest's list of " + what
                    + " is not safe to restore: " + unsafe.get(0), "nothing was restored; the manifest was changed or"
                    + " damaged: restore from another backup");
        }
        Map<String, Action> plan = plan();
        refuseConflicts(plan);
        return plan;
    }

    /** What happens to each entry not under one that moves as a whole; looks, never changes. */
    private Map<String, Action> plan() throws IOException {
        Map<String, Action> plan = new HashMap<>();
        Set<String> whole = new HashSet<>();
        for (FilesDetails.Entry e : details.entries()) {
            if (coveredBy(e.name(), whole)) {
                continue;
            }
            Action a = actionFor(e);
            plan.put(e.name(), a);
            if (a == Action.MOVE || a == Action.REPLACE) {
                whole.add(e.name());
            }
        }
        return plan;
    }

    private Action actionFor(FilesDetails.Entry e) throws IOException {
        BasicFileAttributes existing = lstat(target.resolve(e.name()));
        if (existing == null) {
            return Action.MOVE;
        }
        if (existing.isDirectory()) {
            return e.isDirectory() ? Action.MERGE : Action.BLOCKED;
        }
        return Action.REPLACE;
    }

    private void refuseConflicts(Map<String, Action> plan) {
        List<String> blocked = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (FilesDetails.Entry e : details.entries()) {
            Action a = plan.get(e.name());
            if (a == Action.BLOCKED) {
                blocked.add(e.name());
            } else if (a == Action.REPLACE) {
                existing.add(e.name());
            }
        }
        if (!blocked.isEmpty()) {
            throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, listed(blocked) + " in '" + target
                    + "' " + (blocked.size() == 1 ? "is a directory" : "are directories")
                    + " where the backup has a file or link", "nothing was restored; arca never deletes a directory"
                    + " (it may hold what the backup does not): move it away, or restore into another directory");
        }
        if (!existing.isEmpty() && !clean) {
            throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, listed(existing) + " already "
                    + (existing.size() == 1 ? "exists" : "exist") + " in '" + target + "'",
                    "nothing was restored; add --clean to replace them (nothing else in the directory is touched),"
                            + " or restore into an empty directory");
        }
    }

    private static String listed(List<String> names) {
        int shown = Math.min(names.size(), 5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            b.append(i == 0 ? "" : ", ").append('\'').append(names.get(i)).append('\'');
        }
        if (names.size() > shown) {
            b.append(" and ").append(names.size() - shown).append(" more");
        }
        return b.toString();
    }

    /** Creates the target directory if missing; returns the directories made, outermost first. */
    private List<Path> createTarget() throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = target; p != null && lstat(p) == null; p = p.getParent()) {
            missing.add(0, p);
        }
        Files.createDirectories(target);
        return missing;
    }

    private void extract(Supplier<InputStream> artifact, Path temp, String what) throws IOException {
        long[] bytes = {0};
        long total = details.bytes();
        ArchiveCheck.Sink sink = new ArchiveCheck.Sink() {
            @Override
            public void directory(FilesDetails.Entry e) throws IOException {
                Files.createDirectory(inside(temp, e));
            }

            @Override
            public void file(FilesDetails.Entry e, InputStream content) throws IOException {
                Path p = inside(temp, e);
                try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = content.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        bytes[0] += n;
                        progress.bytes("files", bytes[0], total);
                    }
                }
                owner(p, e);
                Files.setAttribute(p, "unix:mode", e.permissions(), LinkOption.NOFOLLOW_LINKS);
                mtime(p, e);
            }

            @Override
            public void symlink(FilesDetails.Entry e) throws IOException {
                Path p = inside(temp, e);
                Files.createSymbolicLink(p, p.getFileSystem().getPath(e.target()));
                owner(p, e);
                mtime(p, e);
            }
        };
        List<String> problems;
        try (InputStream in = artifact.get()) {
            problems = ArchiveCheck.check(in, details, sink, true);
        } catch (TarReader.FormatException e) {
            problems = List.of(e.getMessage());
        } catch (ArcaException e) {
            if (e.code() != ErrorCode.VERIFICATION_FAILED) {
                throw e;
            }
            // the artifact's digests, checked at the end of the stream: after every member was extracted
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, e.getMessage(), "nothing was restored (files are"
                    + " put in place only after the whole artifact checked out); restore from another backup", e);
        }
        if (!problems.isEmpty()) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "the tar of " + what
                    + " does not match its manifest: " + problems.get(0),
                    "nothing was restored; run arca verify on the backup, and restore from another one");
        }
    }

    /**
     * Where an entry goes in the temporary directory. Its parent is a directory this extraction
     * made (the details were checked: every parent is an earlier directory entry, and the tar
     * matched them member by member), so nothing is written through a link; checked again here.
     */
    private static Path inside(Path temp, FilesDetails.Entry e) throws IOException {
        Path p = temp.resolve(e.name());
        Path parent = p.getParent();
        BasicFileAttributes a = lstat(parent);
        if (a == null || !a.isDirectory() || !p.normalize().startsWith(temp)) {
            throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "entry '" + e.name()
                    + "' would be written outside the directories the restore made", "nothing was restored");
        }
        return p;
    }

    private Outcome moveIntoPlace(Map<String, Action> plan, Path temp) throws IOException {
        int replaced = 0;
        int kept = 0;
        Set<String> whole = new HashSet<>();
        for (FilesDetails.Entry e : details.entries()) {
            if (coveredBy(e.name(), whole)) {
                continue;
            }
            Action planned = plan.get(e.name());
            // looked at again just before: what is there now must be what the check saw
            Action now = actionFor(e);
            if (now != planned) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "'" + target.resolve(e.name())
                        + "' changed while the restore ran", "another process writes into '" + target
                        + "'; stop it and restore again (with --clean to replace what this restore placed)");
            }
            Path from = temp.resolve(e.name());
            Path to = target.resolve(e.name());
            switch (planned) {
                case MOVE -> {
                    // no REPLACE_EXISTING: fails rather than replace something that appeared meanwhile
                    Files.move(from, to);
                    whole.add(e.name());
                }
                case MERGE -> kept++;
                case REPLACE -> {
                    if (e.isDirectory()) {
                        Files.delete(to);
                        Files.move(from, to);
                    } else {
                        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    }
                    whole.add(e.name());
                    replaced++;
                }
                default -> throw new IllegalStateException("blocked entries were refused before");
            }
        }
        progress.note("files: restored " + details.entries().size() + " entries of '" + details.path() + "' into '"
                + target + "'");
        return new Outcome(details.entries().size(), replaced, kept);
    }

    /** Owners, modes and mtimes of the directories this restore made (and, with --clean, of those it kept). */
    private void applyDirectoryMetadata(Map<String, Action> plan) throws IOException {
        List<FilesDetails.Entry> entries = details.entries();
        for (int i = entries.size() - 1; i >= 0; i--) {
            FilesDetails.Entry e = entries.get(i);
            if (!e.isDirectory() || plan.get(e.name()) == Action.MERGE && !clean) {
                continue;
            }
            Path p = target.resolve(e.name());
            BasicFileAttributes a = lstat(p);
            if (a == null || !a.isDirectory()) {
                throw new ArcaException(ErrorCode.TARGET_NOT_EMPTY, "'" + p + "' changed while the restore ran",
                        "another process writes into '" + target + "'; stop it and restore again with --clean");
            }
            owner(p, e);
            Files.setAttribute(p, "unix:mode", e.permissions(), LinkOption.NOFOLLOW_LINKS);
            mtime(p, e);
        }
    }

    private void owner(Path p, FilesDetails.Entry e) throws IOException {
        if (!asRoot) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        Optional<UserPrincipal> user = users.computeIfAbsent(e.user(), TreeRestore::lookUpUser);
        if (user.isPresent()) {
            view.setOwner(user.get());
        } else {
            Files.setAttribute(p, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        Optional<GroupPrincipal> group = groups.computeIfAbsent(e.group(), TreeRestore::lookUpGroup);
        if (group.isPresent()) {
            view.setGroup(group.get());
        } else {
            Files.setAttribute(p, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static Optional<UserPrincipal> lookUpUser(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name));
        } catch (UserPrincipalNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<GroupPrincipal> lookUpGroup(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void mtime(Path p, FilesDetails.Entry e) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(e.mtime()), null, null);
    }

    /** The attributes of {@code p} itself (a link is not followed), or null when nothing is there. */
    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whether {@code name} is below one of {@code roots}. */
    private static boolean coveredBy(String name, Set<String> roots) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            if (roots.contains(name.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }
}
