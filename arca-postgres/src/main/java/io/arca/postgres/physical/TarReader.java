package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * A streaming reader of the tar archives PostgreSQL's {@code BASE_BACKUP} sends (and {@code
 * pg_basebackup -Ft} writes): POSIX ustar, with GNU long names ({@code L}/{@code K}) and pax
 * extended headers ({@code x}) understood too, so archives made by GNU tar or bsdtar also read.
 *
 * <p>Memory stays bounded: headers are read block by block and an entry's content is handed out
 * as a stream over the underlying input ({@link #content()}); nothing buffers a whole entry.
 * Extended headers (long names, pax records) are limited to {@value #MAX_EXTENDED_HEADER} bytes.
 *
 * <p>Every header's checksum is checked. A stream that ends inside a header or an entry's content
 * or padding, a bad header checksum, an unparsable number, or an entry type a base backup never
 * holds (hard links, devices, FIFOs) raise {@link ErrorCode#VERIFICATION_FAILED}. A stream that
 * ends cleanly at a block boundary without the end-of-archive marker (two zero blocks) counts as
 * ended, as GNU tar accepts it. After the end-of-archive marker the rest of the input (the zero
 * padding tar adds up to its record size) is read and discarded, so a digest computed around the
 * input sees every byte.
 *
 * <p>Names: a leading {@code ./} and trailing {@code /} are removed ({@link TarEntry#name()});
 * nothing else is normalised: callers that write to disk must refuse {@code ..} and absolute
 * names themselves. Not thread-safe.
 */
public final class TarReader implements Closeable {
    /** The tar block size. */
    static final int BLOCK = 512;
    /** Upper bound for GNU long names and pax headers: far above any real path. */
    static final int MAX_EXTENDED_HEADER = 1 << 20;

    private static final String HINT = "the backup file is damaged or was cut short; run arca verify on the backup, "
            + "or restore another backup";

    private final InputStream in;
    private final String label;
    private final byte[] header = new byte[BLOCK];
    private final byte[] skipBuffer = new byte[64 * 1024];
    private long position;
    /** Content bytes of the current entry not yet read. */
    private long remaining;
    /** Padding after the current entry's content. */
    private int padding;
    private TarEntry current;
    private boolean ended;
    private final EntryStream content = new EntryStream();

    public TarReader(InputStream in) {
        this(in, "tar stream");
    }

    /**
     * @param label what the stream is, for messages, e.g. {@code "'base.tar'"} or {@code "tar
     *     stream of tablespace 16385"}
     */
    public TarReader(InputStream in, String label) {
        this.in = in;
        this.label = label;
    }

    /**
     * Moves to the next entry, skipping what is left of the current one.
     *
     * @return the entry, or null at the end of the archive
     * @throws ArcaException VERIFICATION_FAILED for a truncated or corrupt archive
     */
    public TarEntry next() throws IOException {
        if (ended) {
            return null;
        }
        skipRest();
        current = null;
        String longName = null;
        String longLink = null;
        PaxHeader pax = null;
        while (true) {
            long headerAt = position;
            int n = readBlock(header);
            if (n == 0) {
                return end(false);
            }
            if (n < BLOCK) {
                throw corrupt(label + " is truncated: it ends inside the header at byte " + headerAt);
            }
            if (isZero(header)) {
                int m = readBlock(header);
                if (m == 0 || (m == BLOCK && isZero(header))) {
                    return end(m == BLOCK);
                }
                throw corrupt(label + " is corrupt: a zero block at byte " + headerAt + " is followed by data");
            }
            checkChecksum(headerAt);
            char type = (char) (header[156] & 0xFF);
            long size = number(124, 12, headerAt, "size");
            switch (type) {
                case 'L' -> {
                    longName = cString(readExtended(size, headerAt, "long name"));
                    continue;
                }
                case 'K' -> {
                    longLink = cString(readExtended(size, headerAt, "long link name"));
                    continue;
                }
                case 'x' -> {
                    pax = PaxHeader.parse(readExtended(size, headerAt, "pax header"), () -> corrupt(
                            label + " is corrupt: unreadable pax header at byte " + headerAt));
                    continue;
                }
                case 'g' -> {
                    // Global pax defaults (comments, charset): nothing a restore needs.
                    readExtended(size, headerAt, "global pax header");
                    continue;
                }
                default -> {
                    // a member header, handled below
                }
            }
            TarEntry.Type kind = switch (type) {
                case '0', '\0', '7' -> TarEntry.Type.FILE;
                case '5' -> TarEntry.Type.DIRECTORY;
                case '2' -> TarEntry.Type.SYMLINK;
                default -> throw corrupt(label + " holds an entry of unsupported type '" + printable(type) + "' ("
                        + describe(type) + ") at byte " + headerAt + ": '" + headerName(longName, pax) + "'");
            };
            String name = headerName(longName, pax);
            String link = null;
            if (kind == TarEntry.Type.SYMLINK) {
                link = pax != null && pax.linkPath != null ? pax.linkPath
                        : longLink != null ? longLink : field(157, 100);
            }
            if (pax != null && pax.size >= 0) {
                size = pax.size;
            }
            int mode = (int) (number(100, 8, headerAt, "mode") & 07777);
            Instant modified = pax != null && pax.mtime != null ? pax.mtime
                    : Instant.ofEpochSecond(number(136, 12, headerAt, "modification time"));
            remaining = size;
            padding = (int) ((BLOCK - (size % BLOCK)) % BLOCK);
            current = new TarEntry(normalise(name), kind, kind == TarEntry.Type.FILE ? size : 0, mode, modified, link);
            return current;
        }
    }

    /**
     * The current entry's content: exactly {@link TarEntry#size()} bytes, then end of stream.
     * Closing it does nothing; what is not read is skipped by {@link #next()}.
     */
    public InputStream content() {
        if (current == null) {
            throw new IllegalStateException("no current tar entry: call next() first");
        }
        return content;
    }

    /** Closes the underlying stream. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---- internals ----------------------------------------------------------------------

    private TarEntry end(boolean marker) throws IOException {
        ended = true;
        current = null;
        if (marker) {
            // tar pads the archive with zero blocks up to its record size: consume them too
            while (in.read(skipBuffer) >= 0) {
                // discard
            }
        }
        return null;
    }

    private String headerName(String longName, PaxHeader pax) {
        if (pax != null && pax.path != null) {
            return pax.path;
        }
        if (longName != null) {
            return longName;
        }
        String name = field(0, 100);
        // POSIX ustar ("ustar\0"): a prefix field holds the leading part of long names. GNU tar's
        // "ustar  \0" magic uses those bytes for other things.
        if (header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0) {
            String prefix = field(345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    static String normalise(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals(".") ? "" : n;
    }

    private byte[] readExtended(long size, long headerAt, String what) throws IOException {
        if (size > MAX_EXTENDED_HEADER) {
            throw corrupt(label + " is corrupt: a " + what + " of " + size + " bytes at byte " + headerAt);
        }
        byte[] data = new byte[(int) size];
        int pad = (int) ((BLOCK - (size % BLOCK)) % BLOCK);
        if (readFully(data, 0, data.length) < data.length || skip(pad) < pad) {
            throw corrupt(label + " is truncated: it ends inside the " + what + " at byte " + headerAt);
        }
        return data;
    }

    private void skipRest() throws IOException {
        if (current == null) {
            return;
        }
        long toSkip = remaining + padding;
        long skipped = skip(toSkip);
        if (skipped < toSkip) {
            throw truncatedIn(current);
        }
        remaining = 0;
        padding = 0;
    }

    private long skip(long n) throws IOException {
        long done = 0;
        while (done < n) {
            int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
            position += r;
        }
        return done;
    }

    /** Reads a whole block; returns 0 at EOF before the first byte, the bytes read otherwise. */
    private int readBlock(byte[] block) throws IOException {
        return readFully(block, 0, BLOCK);
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int r = in.read(b, off + done, len - done);
            if (r < 0) {
                break;
            }
            done += r;
        }
        position += done;
        return done;
    }

    private void checkChecksum(long headerAt) {
        long stored;
        try {
            stored = parseOctal(148, 8);
        } catch (NumberFormatException e) {
            throw corrupt(label + " is corrupt: no tar header at byte " + headerAt + " (unreadable checksum)");
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xFF;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt(label + " is corrupt: the tar header at byte " + headerAt + " has checksum "
                    + Long.toOctalString(stored) + ", computed " + Long.toOctalString(unsigned));
        }
    }

    /** An octal field, or GNU's base-256 (high bit of the first byte set) for large values. */
    private long number(int offset, int length, long headerAt, String what) {
        if ((header[offset] & 0x80) != 0) {
            if ((header[offset] & 0x40) != 0) {
                throw corrupt(label + " is corrupt: negative " + what + " in the tar header at byte " + headerAt);
            }
            long v = header[offset] & 0x3F;
            for (int i = 1; i < length; i++) {
                if ((v >>> 55) != 0) {
                    throw corrupt(label + " is corrupt: " + what + " too large in the tar header at byte " + headerAt);
                }
                v = (v << 8) | (header[offset + i] & 0xFF);
            }
            return v;
        }
        try {
            return parseOctal(offset, length);
        } catch (NumberFormatException e) {
            throw corrupt(label + " is corrupt: unreadable " + what + " in the tar header at byte " + headerAt);
        }
    }

    private long parseOctal(int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7' || digits > 21) {
                throw new NumberFormatException();
            }
            v = (v << 3) | (b - '0');
            digits++;
        }
        return v;
    }

    private String field(int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(char type) {
        return type >= 0x20 && type < 0x7F ? String.valueOf(type) : String.format("\\x%02x", (int) type);
    }

    private static String describe(char type) {
        return switch (type) {
            case '1' -> "hard link";
            case '3' -> "character device";
            case '4' -> "block device";
            case '6' -> "FIFO";
            default -> "unknown";
        };
    }

    private ArcaException truncatedIn(TarEntry entry) {
        return corrupt(label + " is truncated: it ends inside '" + entry.name() + "' (" + entry.size() + " bytes)");
    }

    private static ArcaException corrupt(String message) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, message, HINT);
    }

    /** The current entry's bytes, read straight from the underlying stream. */
    private final class EntryStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (current == null || remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw truncatedIn(current);
            }
            remaining -= n;
            position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (current == null || n <= 0) {
                return 0;
            }
            long want = Math.min(n, remaining);
            long done = TarReader.this.skip(want);
            remaining -= done;
            if (done < want) {
                throw truncatedIn(current);
            }
            return done;
        }

        @Override
        public int available() throws IOException {
            return current == null ? 0 : (int) Math.min(Math.min(remaining, in.available()), Integer.MAX_VALUE);
        }

        @Override
        public void close() {
            // the reader owns the underlying stream
        }
    }

    /** The records of a pax extended header this reader uses. */
    private record PaxHeader(String path, String linkPath, long size, Instant mtime) {
        static PaxHeader parse(byte[] data, java.util.function.Supplier<ArcaException> corrupt) {
            String path = null;
            String linkPath = null;
            long size = -1;
            Instant mtime = null;
            int i = 0;
            while (i < data.length) {
                if (data[i] == 0) {
                    break;
                }
                int space = i;
                while (space < data.length && data[space] != ' ') {
                    space++;
                }
                int length;
                try {
                    length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    throw corrupt.get();
                }
                int end = i + length;
                if (length <= 0 || space >= end || end > data.length || data[end - 1] != '\n') {
                    throw corrupt.get();
                }
                byte[] record = Arrays.copyOfRange(data, space + 1, end - 1);
                int eq = 0;
                while (eq < record.length && record[eq] != '=') {
                    eq++;
                }
                if (eq == record.length) {
                    throw corrupt.get();
                }
                String key = new String(record, 0, eq, StandardCharsets.UTF_8);
                String value = new String(record, eq + 1, record.length - eq - 1, StandardCharsets.UTF_8);
                try {
                    switch (key) {
                        case "path" -> path = value;
                        case "linkpath" -> linkPath = value;
                        case "size" -> {
                            size = Long.parseLong(value);
                            if (size < 0) {
                                throw corrupt.get();
                            }
                        }
                        case "mtime" -> {
                            BigDecimal seconds = new BigDecimal(value);
                            long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
                            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
                            mtime = Instant.ofEpochSecond(whole, nanos);
                        }
                        default -> {
                            // uid, gid, uname, atime, ctime, SCHILY.*, LIBARCHIVE.*: not needed
                        }
                    }
                } catch (NumberFormatException | ArithmeticException e) {
                    throw corrupt.get();
                }
                i = end;
            }
            return new PaxHeader(path, linkPath, size, mtime);
        }
    }
}
