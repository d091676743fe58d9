package io.arca.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX.1-2001 (pax) tar archive, streaming: a ustar header per member, preceded by a pax
 * extended header ({@code x}) only when a value does not fit ustar: names or link targets longer
 * than 100 bytes or not ASCII, owner names longer than 31 bytes or not ASCII, sizes of 8 GiB and
 * more, ids above {@code 07777777}, times before 1970 or after 2242. GNU tar, bsdtar and busybox tar
 * read it. Times are whole seconds.
 *
 * <p>Use: {@link #putEntry}, then exactly {@code size} content bytes through {@link #write} for a
 * regular file, {@link #closeEntry}; {@link #finish} writes the end-of-archive blocks. Not
 * thread-safe; it does not close the stream it writes to.
 */
final class TarWriter {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;

    private final OutputStream out;
    private final byte[] zeros = new byte[BLOCK];
    private long remaining;
    private long written;
    private boolean open;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Starts a member; for a regular file, its {@code size} bytes must follow. */
    void putEntry(TarEntry e) throws IOException {
        if (open) {
            throw new IllegalStateException("closeEntry() before the next putEntry()");
        }
        String name = e.type() == TarEntry.Type.DIRECTORY ? e.name() + "/" : e.name();
        long size = e.type() == TarEntry.Type.FILE ? e.size() : 0;
        Map<String, String> pax = new LinkedHashMap<>();
        if (!fitsAscii(name, 100)) {
            pax.put("path", name);
        }
        if (!fitsAscii(e.linkTarget(), 100)) {
            pax.put("linkpath", e.linkTarget());
        }
        if (size > MAX_OCTAL_11) {
            pax.put("size", Long.toString(size));
        }
        if (e.uid() > MAX_OCTAL_7 || e.uid() < 0) {
            pax.put("uid", Long.toString(e.uid()));
        }
        if (e.gid() > MAX_OCTAL_7 || e.gid() < 0) {
            pax.put("gid", Long.toString(e.gid()));
        }
        if (!fitsAscii(e.user(), 31)) {
            pax.put("uname", e.user());
        }
        if (!fitsAscii(e.group(), 31)) {
            pax.put("gname", e.group());
        }
        if (e.mtime() < 0 || e.mtime() > MAX_OCTAL_11) {
            pax.put("mtime", Long.toString(e.mtime()));
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            int slash = name.lastIndexOf('/', name.length() - 2);
            String paxName = "PaxHeaders/" + name.substring(slash + 1);
            writeHeader(ascii(paxName, 100), 0644, 0, 0, "", "", records.length, Math.max(0, Math.min(e.mtime(),
                    MAX_OCTAL_11)), 'x', "");
            out.write(records);
            pad(records.length);
        }
        writeHeader(ascii(name, 100), e.mode() & 07777, e.uid(), e.gid(), e.user(), e.group(), size,
                e.mtime(), e.type().flag(), ascii(e.linkTarget(), 100));
        remaining = size;
        written = 0;
        open = true;
    }

    /** Content of the current regular file. */
    void write(byte[] b, int off, int len) throws IOException {
        if (!open || len > remaining) {
            throw new IllegalStateException(open ? "more content than the header's size" : "no entry open");
        }
        out.write(b, off, len);
        remaining -= len;
        written += len;
    }

    /** Ends the current member, padding it to a whole block; its content must be complete. */
    void closeEntry() throws IOException {
        if (!open) {
            throw new IllegalStateException("no entry open");
        }
        if (remaining != 0) {
            throw new IllegalStateException(remaining + " content bytes missing");
        }
        pad(written);
        open = false;
    }

    /** Writes the two zero blocks that end an archive and flushes. */
    void finish() throws IOException {
        if (open) {
            throw new IllegalStateException("closeEntry() before finish()");
        }
        out.write(zeros);
        out.write(zeros);
        out.flush();
    }

    private void pad(long length) throws IOException {
        int rest = (int) (length % BLOCK);
        if (rest != 0) {
            out.write(zeros, 0, BLOCK - rest);
        }
    }

    private void writeHeader(String name, int mode, long uid, long gid, String user, String group, long size,
            long mtime, char type, String link) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid >= 0 && uid <= MAX_OCTAL_7 ? uid : 0);
        octal(h, 116, 8, gid >= 0 && gid <= MAX_OCTAL_7 ? gid : 0);
        octal(h, 124, 12, size <= MAX_OCTAL_11 ? size : 0);
        octal(h, 136, 12, mtime >= 0 && mtime <= MAX_OCTAL_11 ? mtime : 0);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, ascii(user, 31));
        put(h, 297, 32, ascii(group, 31));
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    /** {@code len} bytes: octal digits then a NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(len - 1 - digits.length()) + digits;
        put(h, off, len - 1, padded);
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    /** Whether {@code s} fits a ustar field of {@code max} bytes as printable ASCII. */
    static boolean fitsAscii(String s, int max) {
        if (s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** The ustar field's stand-in for a value that a pax record carries: ASCII, cut to {@code max}. */
    private static String ascii(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c > 0x7e ? '_' : c);
        }
        return b.toString();
    }

    /** {@code "<length> <key>=<value>\n"} records, the length counting the whole record including itself. */
    static byte[] paxRecords(Map<String, String> values) {
        StringBuilder all = new StringBuilder();
        for (Map.Entry<String, String> v : values.entrySet()) {
            int body = (" " + v.getKey() + "=" + v.getValue() + "\n").getBytes(StandardCharsets.UTF_8).length;
            int length = body + Integer.toString(body).length();
            if (Integer.toString(length).length() != Integer.toString(body).length()) {
                length = body + Integer.toString(length).length();
            }
            all.append(length).append(' ').append(v.getKey()).append('=').append(v.getValue()).append('\n');
        }
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }
}
