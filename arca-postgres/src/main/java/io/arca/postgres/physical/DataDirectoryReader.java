package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a running cluster's data directory (and its tablespaces) straight from the file system
 * and writes the tar streams PostgreSQL's {@code BASE_BACKUP} would send, for {@code backup
 * --physical --pgdata}: the same members, left out by the same rules as {@code basebackup.c}
 * (PostgreSQL 13 to 18), and each file's size and checksum taken on the way for the backup's
 * {@code backup_manifest}. This is how pgBackRest reads a cluster: the server's single WAL sender
 * no longer carries every byte, so the backup runs as fast as the files read and compress.
 *
 * <p>What is left out, as the server leaves it out: the contents of {@code pg_wal} (its {@code
 * archive_status} and, from PostgreSQL 17, {@code summaries} directories stay), {@code pg_stat_tmp}, {@code pg_replslot}, {@code
 * pg_dynshmem}, {@code pg_notify}, {@code pg_serial}, {@code pg_snapshots} and {@code
 * pg_subtrans} (the directories stay, empty); {@code postmaster.pid}, {@code postmaster.opts},
 * {@code backup_label}, {@code tablespace_map}, {@code backup_manifest}, {@code
 * postgresql.auto.conf.tmp}, {@code current_logfiles.tmp} and {@code pg_internal.init*}; anything
 * named {@code pgsql_tmp*}; in database directories, temporary relations and every fork of an
 * unlogged relation except its init fork; sockets and other special files; and the contents of
 * {@code pg_tblspc}, whose links {@code tablespace_map} records instead.
 *
 * <p>On a cluster with data checksums every page of the relation files is checked on the way
 * ({@link PageChecksums}), as the server checks them.
 *
 * <p>Files change while they are read: the WAL from the backup's start repairs every page, as for
 * any online backup. A file removed after the directory was listed is left out; one that shrank
 * is padded with zeros to the size it was listed with, one that grew is read to that size, as the
 * server does. Memory grows with the number of files of one directory tree, never with their
 * size.
 */
final class DataDirectoryReader {
    /** Name-matched directories whose contents are never backed up. */
    private static final Set<String> EXCLUDE_CONTENTS = Set.of("pg_stat_tmp", "pg_replslot", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");
    /** Name-matched files that are never backed up. */
    private static final Set<String> EXCLUDE_FILES = Set.of("postgresql.auto.conf.tmp", "current_logfiles.tmp",
            "backup_label", "tablespace_map", "backup_manifest", "postmaster.pid", "postmaster.opts");
    private static final Pattern RELATION = Pattern.compile("([0-9]+)(?:_(fsm|vm|init))?(?:\\.[0-9]+)?");
    private static final Pattern TEMP_RELATION = Pattern.compile("t[0-9]+_[0-9]+(?:_(?:fsm|vm|init))?(?:\\.[0-9]+)?");
    private static final int BUFFER = 1 << 20;

    private final Path pgdata;
    private final String checksumAlgorithm;
    private final LongConsumer progress;
    private final byte[] buffer = new byte[BUFFER];
    private final ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    private final List<ServerManifest.File> files = new ArrayList<>();
    private long bytesRead;
    private PageChecksums pages;

    /** A member found by {@link #scan}: {@code name} in the tar, {@code path} on disk. */
    record Member(String name, Path path, TarEntry.Type type, long size, int mode, long uid, long gid, long mtime,
            String link) {
    }

    /** A tablespace found in {@code pg_tblspc}. */
    record Tablespace(long oid, Path location) {
    }

    /**
     * @param pgdata the data directory
     * @param checksumAlgorithm the manifest's checksum algorithm ({@link ManifestChecksum})
     * @param progress told the running total of file bytes read
     */
    DataDirectoryReader(Path pgdata, String checksumAlgorithm, LongConsumer progress) {
        this.pgdata = pgdata;
        this.checksumAlgorithm = checksumAlgorithm;
        this.progress = progress;
    }

    /**
     * Reads {@code global/pg_control} of the directory given as {@code --pgdata}.
     *
     * @throws ArcaException USAGE when the directory is not a data directory Arca can read
     */
    static PgControl control(Path pgdata) {
        Path file = pgdata.resolve("global").resolve("pg_control");
        try {
            return PgControl.read(pgdata);
        } catch (NoSuchFileException e) {
            throw new ArcaException(ErrorCode.USAGE, "'" + pgdata + "' is not a PostgreSQL data directory (it has no"
                    + " global/pg_control)", "give --pgdata the server's data directory (SHOW data_directory)");
        } catch (AccessDeniedException e) {
            throw new ArcaException(ErrorCode.USAGE, "cannot read '" + file + "': permission denied",
                    "run arca as the server's operating-system user (postgres), or leave out --pgdata to stream"
                            + " the files over the replication protocol");
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.USAGE, "cannot read '" + file + "': " + e.getMessage(),
                    "give --pgdata the server's data directory, readable by the user arca runs as");
        }
    }

    /** The {@code PG_<major>_<catversion>} directory a tablespace's files are in. */
    static String tablespaceDirectory(Path pgdata, PgControl control) {
        try {
            String version = Files.readString(pgdata.resolve("PG_VERSION"), StandardCharsets.US_ASCII).trim();
            return "PG_" + version + "_" + control.catalogVersion();
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.USAGE, "cannot read '" + pgdata.resolve("PG_VERSION") + "': " + e.getMessage(),
                    "give --pgdata the server's data directory, readable by the user arca runs as");
        }
    }

    /**
     * The tablespaces linked from {@code pg_tblspc}.
     *
     * @throws ArcaException USAGE for an in-place tablespace (a directory in {@code pg_tblspc})
     */
    List<Tablespace> tablespaces() throws IOException {
        List<Tablespace> result = new ArrayList<>();
        Path dir = pgdata.resolve("pg_tblspc");
        for (String name : sortedNames(dir)) {
            Path p = dir.resolve(name);
            if (!name.matches("[1-9][0-9]*")) {
                continue;
            }
            if (!Files.isSymbolicLink(p)) {
                throw new ArcaException(ErrorCode.USAGE, "tablespace " + name + " is an in-place tablespace (a directory"
                        + " in pg_tblspc), which --pgdata does not back up",
                        "leave out --pgdata: the server sends in-place tablespaces over the replication protocol");
            }
            Path target = Files.readSymbolicLink(p);
            result.add(new Tablespace(Long.parseLong(name), dir.resolve(target).normalize()));
        }
        return result;
    }

    /** The files written so far, with their sizes and checksums, for the manifest. */
    List<ServerManifest.File> files() {
        return files;
    }

    /** File bytes read so far. */
    long bytesRead() {
        return bytesRead;
    }

    /** The members of the data directory, in the order they are written. */
    List<Member> scanDataDirectory() throws IOException {
        List<Member> members = new ArrayList<>();
        scan(pgdata, "", false, members);
        return members;
    }

    /**
     * The members of tablespace {@code location}: its {@code versionDirectory} and everything in
     * it, named relative to {@code location} as the server names them.
     */
    List<Member> scanTablespace(Path location, String versionDirectory) throws IOException {
        List<Member> members = new ArrayList<>();
        Path dir = location.resolve(versionDirectory);
        Member top = member(versionDirectory, dir);
        if (top == null || top.type() != TarEntry.Type.DIRECTORY) {
            throw new ArcaException(ErrorCode.USAGE, "tablespace directory '" + dir + "' is missing",
                    "check that --pgdata is the server's data directory and its tablespaces are mounted here");
        }
        members.add(top);
        scan(dir, versionDirectory + "/", true, members);
        return members;
    }

    /**
     * Writes {@code members} as tar members; the manifest paths get {@code manifestPrefix}
     * ({@code ""} or {@code pg_tblspc/<oid>/}). The end-of-archive marker is not written.
     */
    void write(List<Member> members, String manifestPrefix, TarWriter tar) throws IOException {
        for (Member m : members) {
            switch (m.type()) {
                case DIRECTORY -> tar.directory(m.name(), m.mode(), m.uid(), m.gid(), m.mtime());
                case SYMLINK -> tar.symlink(m.name(), m.link(), m.mode(), m.uid(), m.gid(), m.mtime());
                case FILE -> copyFile(m, manifestPrefix, tar);
                default -> throw new IllegalStateException(m.type().toString());
            }
        }
    }

    /** A file written from memory ({@code backup_label}, {@code tablespace_map}), in the manifest too. */
    void writeFile(String name, byte[] content, Instant modified, TarWriter tar) throws IOException {
        tar.file(name, content, 0600, modified.getEpochSecond());
        ManifestChecksum sum = ManifestChecksum.of(checksumAlgorithm);
        sum.update(content, 0, content.length);
        files.add(new ServerManifest.File(name, content.length, modified, sum.algorithm(), sum.hex()));
    }

    private void copyFile(Member m, String manifestPrefix, TarWriter tar) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(m.path(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            // removed since the directory was listed: the WAL replays its removal
            return;
        } catch (IOException e) {
            throw unreadable(m.path(), e);
        }
        try (ch) {
            ManifestChecksum sum = ManifestChecksum.of(checksumAlgorithm);
            tar.fileHeader(m.name(), m.size(), m.mode(), m.uid(), m.gid(), m.mtime());
            boolean checkPages = pages != null && PageChecksums.applies(m.name(), !manifestPrefix.isEmpty());
            long firstBlock = checkPages ? pages.firstBlock(m.name()) : 0;
            long left = m.size();
            boolean eof = false;
            while (left > 0) {
                int want = (int) Math.min(buffer.length, left);
                int n = 0;
                if (!eof) {
                    wrapped.clear().limit(want);
                    try {
                        while (wrapped.hasRemaining()) {
                            if (ch.read(wrapped) < 0) {
                                eof = true;
                                break;
                            }
                        }
                    } catch (IOException e) {
                        throw unreadable(m.path(), e);
                    }
                    n = wrapped.position();
                }
                if (n < want) {
                    // the file shrank while it was read: zeros up to the size in the header, as the server sends
                    java.util.Arrays.fill(buffer, n, want, (byte) 0);
                }
                if (checkPages) {
                    checkPages(ch, m.path(), ManifestCheck.path(manifestPrefix, m.name()), buffer, n, m.size() - left,
                            firstBlock);
                }
                sum.update(buffer, 0, want);
                tar.content(buffer, 0, want);
                left -= want;
                bytesRead += want;
                progress.accept(bytesRead);
            }
            tar.pad();
            files.add(new ServerManifest.File(ManifestCheck.path(manifestPrefix, m.name()), m.size(),
                    Instant.ofEpochSecond(m.mtime()), sum.algorithm(), sum.hex()));
        }
    }

    /**
     * Checks the whole pages among the {@code n} bytes read at file offset {@code offset}; a page
     * that fails is read again once, into the buffer, and counts only if it fails again.
     */
    private void checkPages(FileChannel ch, Path path, String name, byte[] b, int n, long offset, long firstBlock) {
        int size = pages.blockSize();
        if (offset % size != 0) {
            return;
        }
        for (int off = 0; off + size <= n; off += size) {
            long blkno = firstBlock + (offset + off) / size;
            if (pages.passes(b, off, blkno)) {
                continue;
            }
            ByteBuffer again = ByteBuffer.wrap(b, off, size);
            try {
                while (again.hasRemaining() && ch.read(again, offset + off + again.position() - off) >= 0) {
                    // reads the page once more, where the first read put it
                }
            } catch (IOException e) {
                throw unreadable(path, e);
            }
            if (!pages.passes(b, off, blkno)) {
                pages.failed(name, blkno, b, off);
            }
        }
    }

    /** Checks data page checksums from now on (see {@link PageChecksums}); null stops. */
    void checkPages(PageChecksums checks) {
        this.pages = checks;
    }

    /** A file of the data directory that cannot be read (not the repository's fault). */
    private static ArcaException unreadable(Path p, IOException e) {
        return new ArcaException(ErrorCode.FAILURE, "cannot read '" + p + "': " + (e instanceof AccessDeniedException
                ? "permission denied" : e.getMessage()), "run arca as the server's operating-system user (postgres),"
                + " or leave out --pgdata to stream the files over the replication protocol; nothing was committed", e);
    }

    /** Lists {@code dir} (tar names starting with {@code prefix}) as {@code sendDir} does, recursively. */
    private void scan(Path dir, String prefix, boolean inTablespace, List<Member> out) throws IOException {
        boolean databaseDirectory = isDatabaseDirectory(prefix, inTablespace);
        TreeSet<String> names = sortedNames(dir);
        Set<String> unloggedWithInit = databaseDirectory ? initForks(names) : Set.of();
        for (String name : names) {
            if (name.startsWith("pgsql_tmp") || EXCLUDE_FILES.contains(name) || name.startsWith("pg_internal.init")) {
                continue;
            }
            if (databaseDirectory) {
                if (TEMP_RELATION.matcher(name).matches()) {
                    continue;
                }
                Matcher r = RELATION.matcher(name);
                if (r.matches() && !"init".equals(r.group(2)) && unloggedWithInit.contains(r.group(1))) {
                    continue;
                }
            }
            String tarName = prefix + name;
            Path p = dir.resolve(name);
            Member m = member(tarName, p);
            if (m == null) {
                continue;
            }
            boolean top = prefix.isEmpty() && !inTablespace;
            if (top && name.equals("pg_wal")) {
                // never its contents (the WAL is archived on its own), a link to elsewhere as a directory
                Member d = asDirectory(m);
                out.add(d);
                out.add(new Member("pg_wal/archive_status", p.resolve("archive_status"), TarEntry.Type.DIRECTORY, 0,
                        d.mode(), d.uid(), d.gid(), d.mtime(), null));
                if (Files.isDirectory(p.resolve("summaries"))) {
                    // PostgreSQL 17+: the WAL summaries of incremental backups
                    out.add(new Member("pg_wal/summaries", p.resolve("summaries"), TarEntry.Type.DIRECTORY, 0,
                            d.mode(), d.uid(), d.gid(), d.mtime(), null));
                }
                continue;
            }
            if (EXCLUDE_CONTENTS.contains(name) && m.type() != TarEntry.Type.FILE) {
                out.add(asDirectory(m));
                continue;
            }
            out.add(m);
            if (m.type() == TarEntry.Type.DIRECTORY && !(top && name.equals("pg_tblspc"))) {
                scan(p, tarName + "/", inTablespace, out);
            }
        }
    }

    /** The member for {@code p}; null when it vanished or is a special file. */
    private static Member member(String tarName, Path p) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw unreadable(p, e);
        }
        int mode = (Integer) a.get("mode");
        long uid = ((Integer) a.get("uid")).longValue() & 0xFFFFFFFFL;
        long gid = ((Integer) a.get("gid")).longValue() & 0xFFFFFFFFL;
        long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
        int kind = mode & 0170000;
        if (kind == 0120000) {
            return new Member(tarName, p, TarEntry.Type.SYMLINK, 0, 0777, uid, gid, mtime,
                    Files.readSymbolicLink(p).toString());
        }
        if (kind == 0040000) {
            return new Member(tarName, p, TarEntry.Type.DIRECTORY, 0, mode & 07777, uid, gid, mtime, null);
        }
        if (kind == 0100000) {
            return new Member(tarName, p, TarEntry.Type.FILE, (Long) a.get("size"), mode & 07777, uid, gid, mtime, null);
        }
        return null;
    }

    /** A symlink as the directory it points to (the server writes pg_wal and excluded directories so). */
    private static Member asDirectory(Member m) {
        if (m.type() == TarEntry.Type.DIRECTORY) {
            return m;
        }
        return new Member(m.name(), m.path(), TarEntry.Type.DIRECTORY, 0, 0700, m.uid(), m.gid(), m.mtime(), null);
    }

    /** {@code base/<oid>} or, in a tablespace, {@code PG_<version>_<catversion>/<oid>}. */
    private static boolean isDatabaseDirectory(String prefix, boolean inTablespace) {
        if (prefix.isEmpty()) {
            return false;
        }
        String path = prefix.substring(0, prefix.length() - 1);
        int slash = path.lastIndexOf('/');
        if (slash < 0 || !path.substring(slash + 1).matches("[0-9]+")) {
            return false;
        }
        String parent = path.substring(0, slash);
        return inTablespace ? parent.startsWith("PG_") && !parent.contains("/") : parent.equals("base");
    }

    /** The relations of a database directory that have an init fork (unlogged ones). */
    private static Set<String> initForks(Set<String> names) {
        Set<String> result = new HashSet<>();
        for (String n : names) {
            if (n.endsWith("_init")) {
                Matcher r = RELATION.matcher(n);
                if (r.matches()) {
                    result.add(r.group(1));
                }
            }
        }
        return result;
    }

    private static TreeSet<String> sortedNames(Path dir) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            // removed while listed (a dropped database): the WAL replays its removal
        } catch (IOException e) {
            throw unreadable(dir, e);
        }
        return names;
    }
}
