package io.arca.postgres.archive;

import io.arca.core.error.ArcaException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses an archive header and table of contents from bytes fed in pieces of any size, as
 * {@code ReadHead} and {@code ReadToc} in PostgreSQL's {@code pg_backup_archiver.c} read them.
 *
 * <p>Bytes are buffered until a whole unit (the header, the entry count, one entry) is
 * available; a parsed unit is dropped from the buffer, so memory stays near the largest entry.
 * When a unit needs more bytes than are buffered, the parser remembers how many and does not
 * try again before they have arrived, so each byte is parsed a bounded number of times. Not
 * thread-safe.
 */
final class TocParser {

    private static final byte[] MAGIC = {'P', 'G', 'D', 'M', 'P'};
    private static final ArchiveVersion MAX_VERSION = new ArchiveVersion(1, 16, 255);
    /** Copy at most this much at a time, so little is copied past the end of the TOC. */
    private static final int FEED_STEP = 64 * 1024;
    /** No TOC string comes near this; a larger length means a damaged archive. */
    private static final int MAX_STRING = 1 << 30;

    private enum Stage { HEADER, COUNT, ENTRIES, DONE }

    /** Thrown, preallocated, when the buffer ends inside a unit. */
    private static final class Underflow extends RuntimeException {
        private static final long serialVersionUID = 1L;
        int needed;

        Underflow() {
            super(null, null, false, false);
        }
    }

    private final ArchiveFormat expected;
    private final Underflow underflow = new Underflow();
    private byte[] buf = new byte[8192];
    private int start;
    private int end;
    /** Absolute archive offset of {@code buf[start]}. */
    private long startOffset;
    /** Absolute offset the buffer must reach before parsing is worth trying again. */
    private long waitUntil;
    private Stage stage = Stage.HEADER;
    private ArchiveHeader header;
    private int intSize;
    private int offSize;
    private Charset charset = StandardCharsets.UTF_8;
    private int count;
    private final List<TocEntry> entries = new ArrayList<>();
    private ArchiveToc toc;

    /**
     * @param expected {@link ArchiveFormat#CUSTOM} for a custom archive, {@link
     *     ArchiveFormat#DIRECTORY} for a directory's {@code toc.dat}, {@code null} for either
     */
    TocParser(ArchiveFormat expected) {
        this.expected = expected;
    }

    /**
     * Offers the next bytes of the archive.
     *
     * @return how many of them belong to the header and TOC: {@code len} until the TOC is
     *     complete, then the rest are data
     * @throws ArcaException when the bytes are no archive of the expected
     *     format or the TOC is malformed
     */
    int feed(byte[] b, int off, int len) {
        if (stage == Stage.DONE) {
            return 0;
        }
        int used = 0;
        while (used < len && stage != Stage.DONE) {
            long wanted = Math.max(FEED_STEP, waitUntil - bufferedEnd());
            int n = (int) Math.min(len - used, wanted);
            append(b, off + used, n);
            used += n;
            if (bufferedEnd() >= waitUntil) {
                parseAvailable();
            }
        }
        if (stage == Stage.DONE) {
            // What was appended past the TOC's end came from this call's last append.
            long surplus = bufferedEnd() - toc.length();
            buf = new byte[0];
            start = 0;
            end = 0;
            startOffset = toc.length();
            return (int) (used - surplus);
        }
        return used;
    }

    boolean complete() {
        return stage == Stage.DONE;
    }

    /** The parsed TOC; only once {@link #complete()}. */
    ArchiveToc toc() {
        if (toc == null) {
            throw new IllegalStateException("table of contents not complete");
        }
        return toc;
    }

    /** Says why the input ended too early; for a stream that ends before {@link #complete()}. */
    ArcaException truncated(String what) {
        if (bufferedEnd() == 0) {
            return ArchiveErrors.notAnArchive(what + " is empty", "check that pg_dump ran and wrote its output");
        }
        String where = switch (stage) {
            case HEADER -> "inside its header";
            case COUNT -> "after its header";
            default -> "inside its table of contents (entry " + (entries.size() + 1) + " of " + count + ")";
        };
        return ArchiveErrors.malformed(what + " ends " + where + " after " + bufferedEnd() + " bytes");
    }

    private long bufferedEnd() {
        return startOffset + (end - start);
    }

    private void append(byte[] b, int off, int len) {
        if (buf.length - end < len) {
            int live = end - start;
            if (live + len <= buf.length / 2 || (start > 0 && live + len <= buf.length)) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] bigger = new byte[Math.max(buf.length * 2, live + len)];
                System.arraycopy(buf, start, bigger, 0, live);
                buf = bigger;
            }
            start = 0;
            end = live;
        }
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    private void parseAvailable() {
        while (stage != Stage.DONE) {
            int pos = start;
            try {
                switch (stage) {
                    case HEADER -> {
                        pos = parseHeader(pos);
                        stage = Stage.COUNT;
                    }
                    case COUNT -> {
                        long[] v = new long[1];
                        pos = readInt(pos, v);
                        if (v[0] < 0) {
                            throw ArchiveErrors.malformed("archive table of contents has a negative entry count (" + v[0] + ")");
                        }
                        count = (int) v[0];
                        stage = count == 0 ? Stage.DONE : Stage.ENTRIES;
                    }
                    case ENTRIES -> {
                        pos = parseEntry(pos);
                        if (entries.size() == count) {
                            stage = Stage.DONE;
                        }
                    }
                    default -> throw new IllegalStateException(stage.name());
                }
            } catch (Underflow u) {
                waitUntil = startOffset + (u.needed - start);
                return;
            }
            startOffset += pos - start;
            start = pos;
        }
        toc = new ArchiveToc(header, entries, startOffset);
    }

    private int parseHeader(int pos) {
        need(pos, MAGIC.length);
        if (!Arrays.equals(buf, pos, pos + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw notAnArchive(pos);
        }
        pos += MAGIC.length;
        need(pos, 2);
        int vmaj = u8(pos++);
        int vmin = u8(pos++);
        int vrev = 0;
        if (vmaj > 1 || (vmaj == 1 && vmin > 0)) {
            need(pos, 1);
            vrev = u8(pos++);
        }
        ArchiveVersion version = new ArchiveVersion(vmaj, vmin, vrev);
        if (!version.atLeast(ArchiveVersion.V1_12)) {
            throw ArchiveErrors.notAnArchive("archive format " + version + " is too old: Arca reads 1.12 (pg_dump 9.0) and later",
                    "restore it with pg_restore directly, or dump the database again with a current pg_dump");
        }
        if (version.compareTo(MAX_VERSION) > 0) {
            throw ArchiveErrors.notAnArchive("archive format " + version + " is newer than Arca understands (up to 1.16, pg_dump 18)",
                    "upgrade Arca, or restore the archive with the pg_restore that matches the pg_dump that wrote it");
        }
        need(pos, 3);
        intSize = u8(pos++);
        offSize = u8(pos++);
        int formatCode = u8(pos++);
        if (intSize < 1 || intSize > 8) {
            throw ArchiveErrors.malformed("archive header has an unsupported integer size of " + intSize + " bytes");
        }
        if (offSize < 1 || offSize > 8) {
            throw ArchiveErrors.malformed("archive header has an unsupported offset size of " + offSize + " bytes");
        }
        ArchiveFormat format = ArchiveFormat.ofCode(formatCode);
        // A directory archive's toc.dat says tar: the two share their TOC layout.
        ArchiveFormat actual = format == ArchiveFormat.TAR ? ArchiveFormat.DIRECTORY : format;
        if (actual != ArchiveFormat.CUSTOM && actual != ArchiveFormat.DIRECTORY
                || expected != null && actual != expected) {
            String found = format == null ? "code " + formatCode : format.name().toLowerCase(Locale.ROOT);
            String wanted = expected == null ? "custom or directory" : expected.name().toLowerCase(Locale.ROOT);
            throw ArchiveErrors.notAnArchive("archive header says format " + found + ", expected " + wanted,
                    expected == ArchiveFormat.DIRECTORY ? "this is not the toc.dat of a directory-format archive (pg_dump -Fd)"
                            : "Arca needs pg_dump's custom format (pg_dump -Fc)");
        }
        format = actual;
        ArchiveCompression compression;
        long[] v = new long[1];
        if (version.atLeast(ArchiveVersion.V1_15)) {
            need(pos, 1);
            int code = u8(pos++);
            compression = ArchiveCompression.ofCode(code);
            if (compression == null) {
                throw ArchiveErrors.malformed("archive header has an unknown compression algorithm " + code);
            }
        } else {
            pos = readInt(pos, v);
            compression = v[0] == 0 ? ArchiveCompression.NONE : ArchiveCompression.GZIP;
        }
        int[] tm = new int[7];
        for (int i = 0; i < tm.length; i++) {
            pos = readInt(pos, v);
            tm[i] = (int) v[0];
        }
        LocalDateTime created;
        try {
            created = LocalDateTime.of(tm[5] + 1900, tm[4] + 1, tm[3], tm[2], tm[1], Math.min(tm[0], 59));
        } catch (DateTimeException e) {
            created = null;
        }
        String[] s = new String[1];
        pos = readStr(pos, s);
        String dbName = s[0];
        pos = readStr(pos, s);
        String remoteVersion = s[0];
        pos = readStr(pos, s);
        String dumpVersion = s[0];
        header = new ArchiveHeader(version, intSize, offSize, format, compression, created, dbName,
                remoteVersion, dumpVersion);
        return pos;
    }

    private int parseEntry(int pos) {
        ArchiveVersion version = header.version();
        long[] v = new long[1];
        String[] s = new String[1];
        pos = readInt(pos, v);
        int dumpId = (int) v[0];
        if (dumpId <= 0) {
            throw ArchiveErrors.malformed("archive table of contents has an entry with id " + dumpId
                    + " (entry " + (entries.size() + 1) + " of " + count + ")");
        }
        pos = readInt(pos, v);
        boolean hadDumper = v[0] != 0;
        pos = readStr(pos, s);
        long tableOid = parseOid(s[0]);
        pos = readStr(pos, s);
        long oid = parseOid(s[0]);
        pos = readStr(pos, s);
        String tag = s[0];
        pos = readStr(pos, s);
        String desc = s[0];
        if (desc == null) {
            throw ArchiveErrors.malformed("archive table of contents entry " + dumpId + " has no type");
        }
        pos = readInt(pos, v);
        TocSection section = TocSection.ofCode((int) v[0]);
        if (section == null) {
            throw ArchiveErrors.malformed("archive table of contents entry " + dumpId + " has an unknown section " + v[0]);
        }
        pos = readStr(pos, s);
        String defn = s[0];
        pos = readStr(pos, s);
        String dropStmt = s[0];
        pos = readStr(pos, s);
        String copyStmt = s[0];
        pos = readStr(pos, s);
        String namespace = s[0];
        pos = readStr(pos, s);
        String tablespace = s[0];
        String tableam = null;
        if (version.atLeast(ArchiveVersion.V1_14)) {
            pos = readStr(pos, s);
            tableam = s[0];
        }
        char relkind = '\0';
        if (version.atLeast(ArchiveVersion.V1_16)) {
            pos = readInt(pos, v);
            relkind = (char) (v[0] & 0xff);
        }
        pos = readStr(pos, s);
        String owner = s[0];
        // "WITH OIDS" flag, obsolete since PostgreSQL 12.
        pos = readStr(pos, s);
        List<Integer> deps = new ArrayList<>();
        while (true) {
            pos = readStr(pos, s);
            if (s[0] == null) {
                break;
            }
            deps.add(parseDumpId(s[0], dumpId));
        }
        String dataFile = null;
        long dataOffset = TocEntry.NO_OFFSET;
        if (header.format() == ArchiveFormat.CUSTOM) {
            need(pos, 1 + offSize);
            int flag = u8(pos++);
            long offset = 0;
            for (int i = 0; i < offSize; i++) {
                offset |= (long) u8(pos++) << (8 * i);
            }
            // K_OFFSET_POS_NOT_SET = 1, K_OFFSET_POS_SET = 2, K_OFFSET_NO_DATA = 3
            if (flag < 1 || flag > 3) {
                throw ArchiveErrors.malformed("archive table of contents entry " + dumpId + " has an unknown data offset flag " + flag);
            }
            if (flag == 2) {
                dataOffset = offset;
            }
        } else {
            pos = readStr(pos, s);
            dataFile = s[0] == null || s[0].isEmpty() ? null : s[0];
        }
        TocEntry entry = new TocEntry(dumpId, hadDumper, tableOid, oid, tag, desc, section, defn, dropStmt,
                copyStmt, namespace, tablespace, tableam, relkind, owner, deps, dataFile, dataOffset);
        if (desc.equals("ENCODING")) {
            charset = PgEncodings.charset(PgEncodings.fromEncodingEntry(defn));
        }
        entries.add(entry);
        return pos;
    }

    private ArcaException notAnArchive(int pos) {
        String head = new String(buf, pos, Math.min(end - pos, 64), StandardCharsets.ISO_8859_1);
        if (head.startsWith("--") || head.startsWith("SET ") || head.startsWith("\\restrict")) {
            return ArchiveErrors.notAnArchive("input is a plain SQL script, not a pg_dump archive",
                    "restore the script with psql, or dump again with pg_dump -Fc (custom format)");
        }
        if (head.length() >= 2 && head.charAt(0) == 0x1f && head.charAt(1) == 0x8b) {
            return ArchiveErrors.notAnArchive("input is gzip-compressed, not a pg_dump archive",
                    "decompress it first (gunzip)");
        }
        return ArchiveErrors.notAnArchive("input is not a pg_dump archive (no PGDMP signature)",
                "check that the file was written by pg_dump -Fc");
    }

    private static long parseOid(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int parseDumpId(String s, int of) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw ArchiveErrors.malformed("archive table of contents entry " + of + " has a bad dependency '" + s + "'");
        }
    }

    private void need(int pos, int n) {
        if (end - pos < n) {
            underflow.needed = pos + n;
            throw underflow;
        }
    }

    private int u8(int pos) {
        return buf[pos] & 0xff;
    }

    /** Reads a sign byte and {@code intSize} magnitude bytes into {@code out[0]}, which must fit 32 bits. */
    private int readInt(int pos, long[] out) {
        need(pos, ArchiveInts.encodedLength(intSize));
        long v = ArchiveInts.decode(buf, pos, intSize);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE || intSize == 8 && v < 0 && buf[pos] == 0) {
            throw ArchiveErrors.malformed("archive holds an integer too large for 32 bits at offset "
                    + (startOffset + (pos - start)));
        }
        out[0] = v;
        return pos + ArchiveInts.encodedLength(intSize);
    }

    /** Reads a length-prefixed string ({@code null} for length -1) into {@code out[0]}. */
    private int readStr(int pos, String[] out) {
        long[] v = new long[1];
        pos = readInt(pos, v);
        long len = v[0];
        if (len < 0) {
            if (len != -1) {
                throw ArchiveErrors.malformed("archive holds a string of negative length " + len);
            }
            out[0] = null;
            return pos;
        }
        if (len > MAX_STRING) {
            throw ArchiveErrors.malformed("archive holds a string of " + len + " bytes, more than any TOC entry has");
        }
        need(pos, (int) len);
        out[0] = new String(buf, pos, (int) len, charset);
        return pos + (int) len;
    }
}
