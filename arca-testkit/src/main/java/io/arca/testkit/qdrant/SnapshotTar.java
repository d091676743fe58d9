package io.arca.testkit.qdrant;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tar files of the stand-in's snapshots, in the GNU format Qdrant's Rust {@code tar} crate
 * writes ({@code ustar  \0} magic, {@code ././@LongLink} entries for names over 100 bytes), and
 * a reader for what comes back in an upload.
 */
final class SnapshotTar {
    private static final int BLOCK = 512;

    private SnapshotTar() {
    }

    /** Writes {@code files} (name to content; a name ending in {@code /} is a directory) and the end-of-archive blocks. */
    static void write(OutputStream out, Map<String, byte[]> files, long mtimeSeconds) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            String name = e.getKey();
            boolean dir = name.endsWith("/");
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 100) {
                byte[] longName = (name + "\0").getBytes(StandardCharsets.UTF_8);
                out.write(header("././@LongLink", 'L', longName.length, 0));
                writePadded(out, longName);
            }
            byte[] data = dir ? new byte[0] : e.getValue();
            out.write(header(name, dir ? '5' : '0', data.length, mtimeSeconds));
            writePadded(out, data);
        }
        out.write(new byte[BLOCK * 2]);
    }

    private static void writePadded(OutputStream out, byte[] data) throws IOException {
        out.write(data);
        int rest = data.length % BLOCK;
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    private static byte[] header(String name, char type, long size, long mtime) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, type == '5' ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        byte[] magic = "ustar  \0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format("%06o", sum);
        System.arraycopy(chk.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = String.format("%0" + (len - 1) + "o", value);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    /**
     * Reads a tar whole: regular files by name (directories left out). Checks each header's
     * checksum and that the archive ends properly.
     *
     * @throws IOException naming what is wrong when it is not a well-formed tar
     */
    static Map<String, byte[]> read(InputStream in) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] h = new byte[BLOCK];
        String longName = null;
        while (true) {
            if (in.readNBytes(h, 0, BLOCK) < BLOCK) {
                throw new EOFException("tar ends without its end-of-archive blocks");
            }
            if (isZero(h)) {
                return files;
            }
            checkSum(h);
            long size = parseNumber(h, 124, 12);
            char type = (char) h[156];
            byte[] data = readPadded(in, size);
            switch (type) {
                case 'L' -> longName = cString(data, 0, data.length);
                case '0', '\0' -> {
                    String name = longName != null ? longName : fullName(h);
                    files.put(name, data);
                    longName = null;
                }
                default -> longName = null;
            }
        }
    }

    private static byte[] readPadded(InputStream in, long size) throws IOException {
        if (size > Integer.MAX_VALUE - BLOCK) {
            throw new IOException("tar member too large for the stand-in: " + size);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("tar member is truncated");
        }
        out.write(data);
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length < pad) {
            throw new EOFException("tar member padding is truncated");
        }
        return out.toByteArray();
    }

    private static String fullName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean posix = h[257] == 'u' && h[262] == 0;
        if (posix && h[345] != 0) {
            return cString(h, 345, 155) + "/" + name;
        }
        return name;
    }

    private static void checkSum(byte[] h) throws IOException {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        if (parseNumber(h, 148, 8) != sum) {
            throw new IOException("tar header checksum mismatch");
        }
    }

    private static long parseNumber(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = new String(h, off, len, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar header holds no number: '" + s + "'");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
