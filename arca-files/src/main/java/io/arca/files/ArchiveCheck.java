package io.arca.files;

import io.arca.core.pipeline.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@code files} tar against its section's details, member by member and in order: name,
 * type, size, mode, owner, mtime, link target, and each regular file's SHA-256. {@link
 * TreeRestore} extracts through it and verify reads through it, so both check the same things.
 * It also checks the details themselves ({@link #unsafe}): a restore trusts their names only after.
 */
final class ArchiveCheck {
    /** At most this many problems are listed; the rest are counted. */
    static final int MAX_PROBLEMS = 20;

    /** What to do with each member once its header matched. */
    interface Sink {
        Sink NONE = new Sink() {
        };

        default void directory(FilesDetails.Entry e) throws IOException {
        }

        /** A regular file's content; what the sink does not read is read after it returns. */
        default void file(FilesDetails.Entry e, InputStream content) throws IOException {
        }

        default void symlink(FilesDetails.Entry e) throws IOException {
        }
    }

    private ArchiveCheck() {
    }

    /**
     * Reads the whole tar (to the end of {@code in}, where an artifact stream checks its digests),
     * hands each member that matches its entry to {@code sink}, and returns the problems.
     *
     * @param failFast stop at the first problem (a restore: nothing is kept anyway)
     */
    static List<String> check(InputStream in, FilesDetails details, Sink sink, boolean failFast) throws IOException {
        List<String> problems = new ArrayList<>();
        TarReader tar = new TarReader(in);
        List<FilesDetails.Entry> entries = details.entries();
        int i = 0;
        int extra = 0;
        TarEntry t;
        while ((t = tar.next()) != null) {
            if (i >= entries.size()) {
                extra++;
                if (extra == 1) {
                    add(problems, "the tar holds '" + t.name() + "', which the manifest does not list");
                }
                if (failFast) {
                    return problems;
                }
                continue;
            }
            FilesDetails.Entry e = entries.get(i++);
            List<String> differences = e.differences(t);
            if (!differences.isEmpty()) {
                add(problems, "entry '" + e.name() + "' " + String.join(", ", differences));
                if (failFast || !t.name().equals(e.name())) {
                    // out of step: every later member would differ too
                    return failFast ? problems : finishAfter(tar, problems);
                }
                continue;
            }
            if (e.isDirectory()) {
                sink.directory(e);
            } else if (e.isSymlink()) {
                sink.symlink(e);
            } else {
                MessageDigest sha = Sha256.newDigest();
                try (InputStream content = new DigestInputStream(tar.content(), sha)) {
                    sink.file(e, content);
                    content.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (!Sha256.hex(sha).equals(e.sha256())) {
                    add(problems, "entry '" + e.name() + "' has other content than the manifest's sha-256");
                    if (failFast) {
                        return problems;
                    }
                }
            }
        }
        if (extra > 1) {
            add(problems, "the tar holds " + extra + " members that the manifest does not list");
        }
        if (i < entries.size()) {
            add(problems, "the tar ends after " + i + " of the " + entries.size() + " entries the manifest lists"
                    + " (missing: '" + entries.get(i).name() + "'" + (entries.size() - i > 1 ? ", ..." : "") + ")");
        }
        tar.finish();
        return problems;
    }

    /** Reads the rest of the tar without comparing (so the stream's digests are still checked). */
    private static List<String> finishAfter(TarReader tar, List<String> problems) throws IOException {
        while (tar.next() != null) {
            // skipped: out of step with the manifest
        }
        tar.finish();
        return problems;
    }

    private static void add(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }

    /**
     * What is wrong with the details themselves: names that could write outside the restore
     * directory ({@code ..}, absolute, empty parts), members outside the root, a member before
     * its directory, duplicates, unknown types. A restore refuses details with any.
     */
    static List<String> unsafe(FilesDetails d) {
        List<String> p = new ArrayList<>();
        String root = d.root();
        if (root == null || !safeName(root) || root.contains("/")) {
            p.add("the root name '" + root + "' is not a plain file name");
            return p;
        }
        if (d.entries().isEmpty()) {
            p.add("the section lists no entries");
            return p;
        }
        Set<String> directories = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < d.entries().size() && p.size() < MAX_PROBLEMS; i++) {
            FilesDetails.Entry e = d.entries().get(i);
            String name = e.name();
            if (name == null || !safeName(name)) {
                p.add("entry '" + name + "' has a name that is not safe to restore");
                continue;
            }
            if (i == 0 ? !name.equals(root) : !name.startsWith(root + "/")) {
                p.add("entry '" + name + "' is not " + (i == 0 ? "" : "under ") + "the root '" + root + "'");
                continue;
            }
            int slash = name.lastIndexOf('/');
            if (slash >= 0 && !directories.contains(name.substring(0, slash))) {
                p.add("entry '" + name + "' comes before its directory, or its parent is not a directory");
            }
            if (!names.add(name)) {
                p.add("entry '" + name + "' is listed twice");
            }
            if (e.mode() == null || !e.mode().matches("0?[0-7]{1,4}")) {
                p.add("entry '" + name + "' has the mode '" + e.mode() + "'");
            }
            if (e.isDirectory()) {
                directories.add(name);
            } else if (e.isFile()) {
                if (e.sha256() == null || !e.sha256().matches("[0-9a-f]{64}")) {
                    p.add("entry '" + name + "' has no sha-256");
                }
            } else if (e.isSymlink()) {
                if (e.target() == null || e.target().isEmpty() || e.target().indexOf('\0') >= 0) {
                    p.add("entry '" + name + "' is a link without a target");
                }
            } else {
                p.add("entry '" + name + "' has the unknown type '" + e.type() + "'");
            }
        }
        return p;
    }

    /** Relative, without empty, {@code .} or {@code ..} parts, without NUL. */
    static boolean safeName(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
