package io.arca.postgres.archive;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.function.IntFunction;

/**
 * Presents a custom-format archive as a directory-format one, so that a single
 * {@code pg_restore --format=directory --jobs=N} schedules the whole restore itself (index builds
 * of one table overlap the loading of another): {@link #write} writes the {@code toc.dat} of the
 * same TOC with each data entry naming a file, and {@link #copyBlockData} turns a custom data block
 * into the plain content of that file.
 *
 * <p>The TOC is written field by field as pg_dump's {@code WriteHead}/{@code WriteToc} do for the
 * archive's own version (1.12 to 1.16); strings are encoded as they were decoded (UTF-8 until the
 * ENCODING entry, then that encoding). Large-object blocks ({@code BLOBS}) are not supported here:
 * their directory layout needs the object ids before the data, so such archives keep the phased
 * restore.
 */
public final class DirectoryToc {
    private static final int K_OFFSET_SIZE_NOT_USED = 0;

    private DirectoryToc() {
    }

    /** True when every data entry can be presented as a directory-format file. */
    public static boolean supports(ArchiveToc toc) {
        return toc.header().compression() == ArchiveCompression.NONE
                && toc.entries().stream().noneMatch(e -> e.hadDumper() && !e.is("TABLE DATA"));
    }

    /** The file name a data entry gets in the directory view. */
    public static String fileName(int dumpId) {
        return dumpId + ".dat";
    }

    /** Writes {@code toc.dat} for the archive's TOC; {@code hasFile} tells which entries have a data file. */
    public static byte[] write(ArchiveToc toc, IntFunction<Boolean> hasFile) {
        ArchiveHeader h = toc.header();
        Writer w = new Writer(h.intSize());
        w.bytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
        w.out.write(h.version().major());
        w.out.write(h.version().minor());
        w.out.write(h.version().revision());
        w.out.write(h.intSize());
        w.out.write(h.offSize() == 0 ? K_OFFSET_SIZE_NOT_USED : h.offSize());
        // A directory archive's toc.dat says tar: pg_restore reads it with the tar TOC layout.
        w.out.write(ArchiveFormat.TAR.code());
        if (h.version().atLeast(ArchiveVersion.V1_15)) {
            w.out.write(ArchiveCompression.NONE.ordinal());
        } else {
            w.integer(0);
        }
        LocalDateTime t = h.createDate();
        int[] tm = t == null ? new int[7] : new int[] {t.getSecond(), t.getMinute(), t.getHour(), t.getDayOfMonth(),
                t.getMonthValue() - 1, t.getYear() - 1900, 0};
        for (int v : tm) {
            w.integer(v);
        }
        w.string(h.dbName());
        w.string(h.remoteVersion());
        w.string(h.dumpVersion());
        w.integer(toc.entries().size());
        for (TocEntry e : toc.entries()) {
            w.integer(e.dumpId());
            w.integer(e.hadDumper() ? 1 : 0);
            w.string(Long.toString(e.tableOid()));
            w.string(Long.toString(e.oid()));
            w.string(e.tag());
            w.string(e.desc());
            w.integer(e.section().code());
            w.string(e.defn());
            w.string(e.dropStmt());
            w.string(e.copyStmt());
            w.string(e.namespace());
            w.string(e.tablespace());
            if (h.version().atLeast(ArchiveVersion.V1_14)) {
                w.string(e.tableam());
            }
            if (h.version().atLeast(ArchiveVersion.V1_16)) {
                w.integer(e.relkind());
            }
            w.string(e.owner());
            w.string("false");
            for (int dep : e.dependencies()) {
                w.string(Integer.toString(dep));
            }
            w.string(null);
            w.string(hasFile.apply(e.dumpId()) ? fileName(e.dumpId()) : "");
            if (e.is("ENCODING")) {
                w.charset = PgEncodings.charset(PgEncodings.fromEncodingEntry(e.defn()));
            }
        }
        return w.out.toByteArray();
    }

    /**
     * Copies the content of one custom-format data block ({@code BLK_DATA}: type byte, dump id,
     * then length-prefixed chunks up to a zero length) as the plain bytes of a directory-format data file.
     */
    public static void copyBlockData(InputStream block, int intSize, OutputStream out) throws IOException {
        // A chunk is one row of ~100 bytes: buffer both sides, or each row costs calls through the
        // decoder chain and a write to the pipe.
        InputStream in = new BufferedInputStream(block, 1 << 16);
        OutputStream to = new BufferedOutputStream(out, 1 << 18);
        int intLen = 1 + intSize;
        skip(in, 1 + intLen);
        byte[] buffer = new byte[1 << 16];
        byte[] header = new byte[intLen];
        while (true) {
            readFully(in, header, intLen);
            long n = ArchiveInts.decode(header, 0, intSize);
            if (n == 0) {
                to.flush();
                return;
            }
            if (n < 0) {
                throw ArchiveErrors.malformed("archive has a data chunk of invalid length " + n);
            }
            while (n > 0) {
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (r < 0) {
                    throw ArchiveErrors.malformed("archive data block ends inside a chunk");
                }
                to.write(buffer, 0, r);
                n -= r;
            }
        }
    }

    private static void skip(InputStream in, int n) throws IOException {
        readFully(in, new byte[n], n);
    }

    private static void readFully(InputStream in, byte[] b, int n) throws IOException {
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw ArchiveErrors.malformed("archive data block ends early");
            }
            off += r;
        }
    }

    /** pg_dump's WriteInt and WriteStr. */
    private static final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int intSize;
        Charset charset = StandardCharsets.UTF_8;

        Writer(int intSize) {
            this.intSize = intSize;
        }

        void bytes(byte[] b) {
            out.writeBytes(b);
        }

        void integer(long value) {
            out.write(value < 0 ? 1 : 0);
            long magnitude = Math.abs(value);
            for (int i = 0; i < intSize; i++) {
                out.write((int) (magnitude >>> (8 * i)) & 0xff);
            }
        }

        void string(String s) {
            if (s == null) {
                integer(-1);
                return;
            }
            byte[] b = s.getBytes(charset);
            integer(b.length);
            bytes(b);
        }
    }
}
