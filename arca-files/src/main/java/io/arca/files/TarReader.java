package io.arca.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar archive member by member, streaming: ustar headers with pax extended headers
 * ({@code x}; global ones, {@code g}, are read and ignored) and GNU long names ({@code L}, {@code
 * K}), numbers in octal or base-256. Header checksums are checked. Names are returned as stored
 * (a directory's trailing {@code /} removed), unchecked: the caller decides which names are safe.
 *
 * <p>{@link #finish} reads the stream to its end, which is where an artifact stream checks its
 * digests (a reader that stops at the end-of-archive blocks would leave them unchecked).
 */
final class TarReader implements AutoCloseable {
    private static final int BLOCK = TarWriter.BLOCK;

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    private long offset;
    private long contentLeft;
    private long paddingLeft;
    private boolean ended;

    /** A tar stream that is not well-formed. */
    static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next member, its content ready to read through {@link #content()}; null at the end of the archive. */
    TarEntry next() throws IOException {
        if (ended) {
            return null;
        }
        skipRest();
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        while (true) {
            long headerOffset = offset;
            if (!readBlock(true)) {
                throw new FormatException("the archive ends at byte " + offset + " without its end-of-archive blocks");
            }
            if (allZero(block)) {
                ended = true;
                return null;
            }
            checkChecksum(headerOffset);
            char type = (char) block[156];
            long size = number(124, 12, headerOffset);
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                if (size > 16L * 1024 * 1024) {
                    throw new FormatException("an extended header of " + size + " bytes at byte " + headerOffset);
                }
                byte[] data = readContent((int) size);
                if (type == 'x') {
                    pax.putAll(parsePax(data, headerOffset));
                } else if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = cString(data, 0, data.length);
                }
                continue;
            }
            String name = cString(block, 0, 100);
            if (isUstar()) {
                String prefix = cString(block, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            name = pax.getOrDefault("path", longName != null ? longName : name);
            String link = pax.getOrDefault("linkpath", longLink != null ? longLink : cString(block, 157, 100));
            TarEntry.Type t = TarEntry.Type.of(type);
            if (t == TarEntry.Type.FILE && name.endsWith("/")) {
                // old tars mark directories by the slash alone
                t = TarEntry.Type.DIRECTORY;
            }
            if (t == TarEntry.Type.DIRECTORY) {
                while (name.endsWith("/") && name.length() > 1) {
                    name = name.substring(0, name.length() - 1);
                }
            }
            long entrySize = pax.containsKey("size") ? paxNumber(pax, "size", headerOffset) : size;
            long mtime = pax.containsKey("mtime") ? paxSeconds(pax.get("mtime"), headerOffset) : number(136, 12, headerOffset);
            long uid = pax.containsKey("uid") ? paxNumber(pax, "uid", headerOffset) : number(108, 8, headerOffset);
            long gid = pax.containsKey("gid") ? paxNumber(pax, "gid", headerOffset) : number(116, 8, headerOffset);
            String user = pax.getOrDefault("uname", isUstar() ? cString(block, 265, 32) : "");
            String group = pax.getOrDefault("gname", isUstar() ? cString(block, 297, 32) : "");
            int mode = (int) (number(100, 8, headerOffset) & 07777);
            if (entrySize < 0) {
                throw new FormatException("negative size in the header at byte " + headerOffset);
            }
            // only regular files carry content (directories' and links' size fields are 0 in sane tars)
            long content = t == TarEntry.Type.FILE || t == TarEntry.Type.OTHER ? entrySize : 0;
            contentLeft = content;
            paddingLeft = (BLOCK - content % BLOCK) % BLOCK;
            return new TarEntry(name, t, mode, uid, gid, user, group, content, mtime, link);
        }
    }

    /** The current member's content; ends after its size. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (contentLeft == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, contentLeft));
                if (n < 0) {
                    throw new FormatException("the archive ends at byte " + offset + " inside a member's content");
                }
                offset += n;
                contentLeft -= n;
                return n;
            }
        };
    }

    /**
     * Reads everything after the end-of-archive blocks (a tar writer may pad to a record size)
     * to the stream's end, where an artifact stream checks its digests.
     */
    void finish() throws IOException {
        if (!ended) {
            throw new IllegalStateException("finish() before the end of the archive");
        }
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != 0) {
                    throw new FormatException("data after the end of the archive at byte " + (offset + i));
                }
            }
            offset += n;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void skipRest() throws IOException {
        long skip = contentLeft + paddingLeft;
        byte[] buf = new byte[8192];
        while (skip > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, skip));
            if (n < 0) {
                throw new FormatException("the archive ends at byte " + offset + " inside a member's content");
            }
            offset += n;
            skip -= n;
        }
        contentLeft = 0;
        paddingLeft = 0;
    }

    private byte[] readContent(int size) throws IOException {
        byte[] data = in.readNBytes(size);
        offset += data.length;
        if (data.length < size) {
            throw new FormatException("the archive ends at byte " + offset + " inside an extended header");
        }
        contentLeft = 0;
        paddingLeft = (BLOCK - size % BLOCK) % BLOCK;
        skipRest();
        return data;
    }

    private boolean readBlock(boolean allowEnd) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        offset += n;
        if (n == 0 && allowEnd) {
            return false;
        }
        if (n < BLOCK) {
            throw new FormatException("the archive ends at byte " + offset + " inside a header");
        }
        return true;
    }

    private boolean isUstar() {
        return block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a' && block[261] == 'r';
    }

    private void checkChecksum(long headerOffset) throws FormatException {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long stored = number(148, 8, headerOffset);
        if (stored != unsigned && stored != signed) {
            throw new FormatException("the header at byte " + headerOffset + " has a wrong checksum (not a tar, or damaged)");
        }
    }

    /** An octal field (spaces and NULs around it) or a base-256 one (high bit of the first byte set). */
    private long number(int off, int len, long headerOffset) throws FormatException {
        if ((block[off] & 0x80) != 0) {
            long v = block[off] & 0x3f;
            boolean negative = (block[off] & 0x40) != 0;
            if (negative) {
                v |= ~0x3fL;
            }
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (block[i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long v = 0;
        boolean any = false;
        for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
            int d = block[i] - '0';
            if (d < 0 || d > 7) {
                throw new FormatException("the header at byte " + headerOffset + " has a bad number at offset " + off);
            }
            v = v * 8 + d;
            any = true;
        }
        return any ? v : 0;
    }

    private static long paxNumber(Map<String, String> pax, String key, long headerOffset) throws FormatException {
        try {
            return Long.parseLong(pax.get(key));
        } catch (NumberFormatException e) {
            throw new FormatException("the pax header at byte " + headerOffset + " has a bad " + key);
        }
    }

    /** A pax time: seconds with an optional fraction, which is dropped (toward the earlier second). */
    private static long paxSeconds(String value, long headerOffset) throws FormatException {
        try {
            return new java.math.BigDecimal(value).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new FormatException("the pax header at byte " + headerOffset + " has a bad mtime");
        }
    }

    private static Map<String, String> parsePax(byte[] data, long headerOffset) throws FormatException {
        Map<String, String> values = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break;
            }
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new FormatException("the pax header at byte " + headerOffset + " has a bad record length");
            }
            int end = pos + length;
            if (length <= 0 || end > data.length || data[end - 1] != '\n') {
                throw new FormatException("the pax header at byte " + headerOffset + " has a bad record");
            }
            String record = new String(data, space + 1, end - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new FormatException("the pax header at byte " + headerOffset + " has a record without '='");
            }
            values.put(record.substring(0, eq), record.substring(eq + 1));
            pos = end;
        }
        return values;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
