package io.arca.postgres.physical;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a base backup's files against its {@link ServerManifest}, as {@code pg_verifybackup}
 * (PostgreSQL 13-18) does for a tar-format backup: every regular file in the tars must be in the
 * manifest with the same size and checksum, and every manifest file must appear in some tar.
 * Directories and symlinks are not checked (the manifest lists only regular files).
 *
 * <p>Paths that {@code pg_verifybackup} skips, with everything below them, are skipped here too
 * ({@link #IGNORED}): {@code backup_manifest} (not in its own list), {@code pg_wal} (WAL is
 * fetched apart from the backup and checked by other means), and {@code postgresql.auto.conf},
 * {@code recovery.signal} and {@code standby.signal} (which {@code pg_basebackup -R} changes after
 * the server wrote the manifest). The list is the same in PostgreSQL 13 to 18. Like {@code
 * pg_verifybackup} since 17, a version 2 manifest's system identifier is compared with the one in
 * {@code global/pg_control} (its first 8 bytes, in this machine's byte order, as PostgreSQL
 * stores them).
 *
 * <p>Problems are collected, one line each, not thrown: the caller decides what a failed check
 * means. Thread-safe: several tars may be checked (or {@link #track tracked}) at once, as long as
 * each path is tracked by one thread at a time.
 */
public final class ManifestCheck {
    /** Top-level paths skipped, with everything below them (pg_verifybackup's ignore list). */
    public static final List<String> IGNORED = List.of("backup_manifest", "pg_wal", "postgresql.auto.conf",
            "recovery.signal", "standby.signal");

    static final String CONTROL_FILE = "global/pg_control";
    private static final int BUFFER = 256 * 1024;

    private final ServerManifest manifest;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, Tracked> active = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    public ManifestCheck(ServerManifest manifest) {
        this.manifest = manifest;
    }

    /** The result: problems in the order found, then missing files in manifest order. */
    public record Result(List<String> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** The prefix of a tablespace's files in the manifest: {@code pg_tblspc/<oid>/}. */
    public static String tablespacePrefix(long oid) {
        return "pg_tblspc/" + oid + "/";
    }

    /**
     * Whether pg_verifybackup skips {@code path}: it is one of {@link #IGNORED} or below one
     * ({@code "pg_wal/000000010000000000000002"} is, {@code "pg_walx"} is not).
     */
    public static boolean ignored(String path) {
        for (String i : IGNORED) {
            if (path.startsWith(i) && (path.length() == i.length() || path.charAt(i.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks one tar stream and reads it to the end.
     *
     * @param prefix {@code ""} for the data directory's tar, {@code "pg_tblspc/<oid>/"} for a
     *     tablespace's tar (whose entries are relative to the tablespace directory)
     * @throws io.arca.core.error.ArcaException VERIFICATION_FAILED when the tar itself is
     *     truncated or corrupt
     */
    public void check(String prefix, InputStream tar) throws IOException {
        requirePrefix(prefix);
        TarReader reader = new TarReader(tar, prefix.isEmpty() ? "the data directory's tar" : "the tar of '" + prefix + "'");
        byte[] buffer = new byte[BUFFER];
        for (TarEntry e = reader.next(); e != null; e = reader.next()) {
            if (!e.isFile()) {
                continue;
            }
            String path = path(prefix, e.name());
            try (InputStream in = track(path, e.size(), reader.content())) {
                while (in.read(buffer) >= 0) {
                    // read through the checksum
                }
            }
            entryDone(path);
        }
    }

    /**
     * Starts checking the file at {@code path} (manifest form, prefix included) whose content
     * ({@code size} bytes) the caller is about to read: returns a stream over {@code content} that
     * computes the checksum as it is read. Call {@link #entryDone} after reading it to its end.
     * Paths that are ignored or not in the manifest get {@code content} itself back (the latter
     * noted as a problem).
     */
    public InputStream track(String path, long size, InputStream content) {
        if (ignored(path)) {
            return content;
        }
        ServerManifest.File m = manifest.file(path);
        if (m == null) {
            problems.add(path + ": not in the manifest");
            return content;
        }
        if (!seen.add(path)) {
            problems.add(path + ": more than once in the backup");
            return content;
        }
        if (m.size() != size) {
            problems.add(path + ": size " + size + " in the backup, " + m.size() + " in the manifest");
            return content;
        }
        boolean control = path.equals(CONTROL_FILE) && manifest.version() >= 2 && manifest.systemIdentifier().isPresent();
        Tracked t = new Tracked(m, m.hasChecksum() ? ManifestChecksum.of(m.checksumAlgorithm()) : null,
                control ? new byte[8] : null);
        active.put(path, t);
        return new TrackingStream(content, t);
    }

    /** Ends the check of a file {@link #track tracked} before (other paths are ignored). */
    public void entryDone(String path) {
        Tracked t = active.remove(path);
        if (t == null) {
            return;
        }
        ServerManifest.File m = t.file;
        if (t.bytes != m.size()) {
            problems.add(path + ": " + t.bytes + " bytes read, " + m.size() + " in the manifest");
            return;
        }
        if (t.checksum != null) {
            String found = t.checksum.hex();
            if (!found.equals(m.checksum())) {
                problems.add(path + ": checksum mismatch (manifest " + m.checksumAlgorithm().toLowerCase(Locale.ROOT)
                        + " " + m.checksum() + ", found " + found + ")");
            }
        }
        if (t.controlHead != null && t.bytes >= 8) {
            long found = ByteBuffer.wrap(t.controlHead).order(ByteOrder.nativeOrder()).getLong();
            long expected = manifest.systemIdentifier().getAsLong();
            if (found != expected) {
                problems.add(path + ": system identifier " + Long.toUnsignedString(found) + ", the manifest says "
                        + Long.toUnsignedString(expected));
            }
        }
    }

    /**
     * The outcome, once every tar is checked: adds the manifest's files that no tar held, and
     * files {@link #track tracked} without {@link #entryDone} (a caller's mistake).
     */
    public Result finish() {
        List<String> all;
        synchronized (problems) {
            all = new ArrayList<>(problems);
        }
        for (String path : active.keySet()) {
            all.add(path + ": check not finished");
        }
        for (ServerManifest.File f : manifest.files()) {
            if (!seen.contains(f.path()) && !ignored(f.path())) {
                all.add(f.path() + ": missing");
            }
        }
        return new Result(all);
    }

    /**
     * Compares files whose sizes and checksums were taken elsewhere (while a backup streamed into the
     * repository, before the manifest arrived) with the manifest, with the same rules and messages
     * as {@link #check}. {@code digests} maps manifest paths (see {@link #path}) to what was seen;
     * a checksum taken with another algorithm than the manifest's is not compared.
     */
    public static Result compare(ServerManifest manifest, Map<String, BackupFileDigests.Digest> digests) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, BackupFileDigests.Digest> e : new java.util.TreeMap<>(digests).entrySet()) {
            String path = e.getKey();
            BackupFileDigests.Digest d = e.getValue();
            if (ignored(path)) {
                continue;
            }
            ServerManifest.File m = manifest.file(path);
            if (m == null) {
                problems.add(path + ": not in the manifest");
            } else if (m.size() != d.size()) {
                problems.add(path + ": size " + d.size() + " in the backup, " + m.size() + " in the manifest");
            } else if (m.hasChecksum() && d.checksum() != null && m.checksumAlgorithm().equals(d.algorithm())
                    && !m.checksum().equals(d.checksum())) {
                problems.add(path + ": checksum mismatch (manifest " + m.checksumAlgorithm().toLowerCase(Locale.ROOT)
                        + " " + m.checksum() + ", found " + d.checksum() + ")");
            }
        }
        for (ServerManifest.File f : manifest.files()) {
            if (!digests.containsKey(f.path()) && !ignored(f.path())) {
                problems.add(f.path() + ": missing");
            }
        }
        return new Result(problems);
    }

    static void requirePrefix(String prefix) {
        if (!prefix.isEmpty() && !prefix.matches("pg_tblspc/[1-9][0-9]*/")) {
            throw new IllegalArgumentException("invalid tar prefix '" + prefix + "': expected \"\" or \"pg_tblspc/<oid>/\"");
        }
    }

    /**
     * The manifest path of tar entry {@code name}: the prefix plus the name without {@code .}
     * components and doubled slashes (as pg_verifybackup canonicalises it).
     */
    static String path(String prefix, String name) {
        StringBuilder b = new StringBuilder(prefix);
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (b.length() > prefix.length()) {
                b.append('/');
            }
            b.append(part);
        }
        return b.toString();
    }

    private static final class Tracked {
        final ServerManifest.File file;
        final ManifestChecksum checksum;
        final byte[] controlHead;
        long bytes;

        Tracked(ServerManifest.File file, ManifestChecksum checksum, byte[] controlHead) {
            this.file = file;
            this.checksum = checksum;
            this.controlHead = controlHead;
        }

        void update(byte[] b, int off, int n) {
            if (checksum != null) {
                checksum.update(b, off, n);
            }
            if (controlHead != null && bytes < controlHead.length) {
                System.arraycopy(b, off, controlHead, (int) bytes, (int) Math.min(n, controlHead.length - bytes));
            }
            bytes += n;
        }
    }

    private static final class TrackingStream extends FilterInputStream {
        private final Tracked tracked;

        TrackingStream(InputStream in, Tracked tracked) {
            super(in);
            this.tracked = tracked;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                tracked.update(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                tracked.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipped bytes must still be checksummed
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
