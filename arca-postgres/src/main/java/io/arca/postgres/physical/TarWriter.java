package io.arca.postgres.physical;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes tar members the way PostgreSQL's {@code BASE_BACKUP} does ({@code tarCreateHeader} in
 * {@code src/port/tar.c}): POSIX ustar headers with octal numbers (base-256 when a number does
 * not fit), user and group names {@code postgres}, directories and symlinks with a trailing
 * {@code /} and size 0. A name longer than 99 bytes, which PostgreSQL refuses, is split into
 * ustar's prefix field instead ({@link TarReader} and every tar read it). Not thread-safe.
 */
final class TarWriter {
    static final int BLOCK = TarReader.BLOCK;
    private static final byte[] ZEROS = new byte[BLOCK];
    /** "ustar", NUL, version "00". */
    private static final byte[] MAGIC = {'u', 's', 't', 'a', 'r', 0, '0', '0'};

    private final OutputStream out;
    private final byte[] header = new byte[BLOCK];
    private long position;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Bytes written so far. */
    long position() {
        return position;
    }

    /** A directory member. */
    void directory(String name, int mode, long uid, long gid, long mtimeSeconds) throws IOException {
        header(name + "/", '5', mode, uid, gid, 0, mtimeSeconds, null);
    }

    /** A symbolic link member. */
    void symlink(String name, String target, int mode, long uid, long gid, long mtimeSeconds) throws IOException {
        header(name + "/", '2', mode, uid, gid, 0, mtimeSeconds, target);
    }

    /** A regular file's header; exactly {@code size} content bytes and {@link #pad} must follow. */
    void fileHeader(String name, long size, int mode, long uid, long gid, long mtimeSeconds) throws IOException {
        header(name, '0', mode, uid, gid, size, mtimeSeconds, null);
    }

    /** Content bytes of the current file. */
    void content(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }

    /** Zero bytes up to the next block boundary, after a file's content. */
    void pad() throws IOException {
        int rest = (int) (position % BLOCK);
        if (rest != 0) {
            out.write(ZEROS, 0, BLOCK - rest);
            position += BLOCK - rest;
        }
    }

    /** A whole regular file from memory. */
    void file(String name, byte[] content, int mode, long mtimeSeconds) throws IOException {
        fileHeader(name, content.length, mode, 0, 0, mtimeSeconds);
        content(content, 0, content.length);
        pad();
    }

    /** The end-of-archive marker: two zero blocks. */
    void finish() throws IOException {
        out.write(ZEROS);
        out.write(ZEROS);
        position += 2 * BLOCK;
    }

    private void header(String name, char type, int mode, long uid, long gid, long size, long mtime, String link)
            throws IOException {
        Arrays.fill(header, (byte) 0);
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        if (full.length <= 100) {
            System.arraycopy(full, 0, header, 0, full.length);
        } else {
            // ustar: prefix (up to 155 bytes) + '/' + name (up to 100), split at a slash
            int split = -1;
            for (int i = Math.min(full.length - 1, 155); i > 0; i--) {
                if (full[i] == '/' && full.length - i - 1 <= 100 && full.length - i - 1 > 0) {
                    split = i;
                    break;
                }
            }
            if (split < 0) {
                throw new IOException("path '" + name + "' is too long for a tar header");
            }
            System.arraycopy(full, 0, header, 345, split);
            System.arraycopy(full, split + 1, header, 0, full.length - split - 1);
        }
        number(100, 8, mode & 07777);
        number(108, 8, uid);
        number(116, 8, gid);
        number(124, 12, size);
        number(136, 12, mtime);
        header[156] = (byte) type;
        if (link != null) {
            byte[] l = link.getBytes(StandardCharsets.UTF_8);
            if (l.length > 100) {
                throw new IOException("symbolic link '" + name + "' points to a path too long for a tar header: " + link);
            }
            System.arraycopy(l, 0, header, 157, l.length);
        }
        System.arraycopy(MAGIC, 0, header, 257, MAGIC.length);
        byte[] owner = "postgres".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(owner, 0, header, 265, owner.length);
        System.arraycopy(owner, 0, header, 297, owner.length);
        number(329, 8, 0);
        number(337, 8, 0);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
        }
        number(148, 8, sum);
        out.write(header);
        position += BLOCK;
    }

    /** {@code len - 1} octal digits and a NUL, or base-256 (high bit set) when they do not suffice. */
    private void number(int off, int len, long value) {
        if (value >= 0 && value < 1L << (3 * (len - 1))) {
            for (int i = off + len - 2; i >= off; i--) {
                header[i] = (byte) ('0' + (value & 7));
                value >>>= 3;
            }
            header[off + len - 1] = 0;
        } else {
            for (int i = off + len - 1; i > off; i--) {
                header[i] = (byte) value;
                value >>= 8;
            }
            header[off] = (byte) 0x80;
        }
    }
}
