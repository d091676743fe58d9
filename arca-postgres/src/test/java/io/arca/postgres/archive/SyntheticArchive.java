package io.arca.postgres.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes archives byte for byte as pg_dump's {@code WriteHead}, {@code WriteToc} and the custom
 * format's block writers do, for tests that need layouts a real pg_dump 15 cannot produce
 * (other format versions, integer sizes, large OIDs, damage).
 */
final class SyntheticArchive {

    /** A TOC entry to write. */
    record Entry(int dumpId, boolean hadDumper, long oid, String tag, String desc, TocSection section, String defn,
                 String dropStmt, String namespace, String owner, char relkind, List<Integer> deps, String dataFile) {

        static Entry plain(int dumpId, String desc, TocSection section, String tag, String defn, String dropStmt) {
            return new Entry(dumpId, false, 0, tag, desc, section, defn, dropStmt, null, "postgres", '\0', List.of(), null);
        }

        static Entry data(int dumpId, String tag, List<Integer> deps) {
            return new Entry(dumpId, true, 0, tag, "TABLE DATA", TocSection.DATA, "", "", "public", "postgres", '\0',
                    deps, dumpId + ".dat");
        }

        static Entry blobs(int dumpId) {
            return new Entry(dumpId, true, 0, "BLOBS", "BLOBS", TocSection.DATA, "", "", null, "", '\0', List.of(),
                    "blobs.toc");
        }
    }

    private ArchiveVersion version = ArchiveVersion.V1_14;
    private int intSize = 4;
    private int offSize = 8;
    private int formatCode = ArchiveFormat.CUSTOM.code();
    private int compression;
    private Charset charset = StandardCharsets.UTF_8;
    private final List<Entry> entries = new ArrayList<>();
    /** Block writers, run when the bytes are asked for so that they use the final integer size. */
    private final Map<Integer, Consumer<Writer>> blocks = new LinkedHashMap<>();

    SyntheticArchive version(ArchiveVersion v) {
        this.version = v;
        return this;
    }

    SyntheticArchive intSize(int n) {
        this.intSize = n;
        return this;
    }

    SyntheticArchive formatCode(int code) {
        this.formatCode = code;
        return this;
    }

    /** The algorithm code (format 1.15 on) or gzip level (before). */
    SyntheticArchive compression(int code) {
        this.compression = code;
        return this;
    }

    /** How strings after the ENCODING entry are encoded. */
    SyntheticArchive charset(Charset c) {
        this.charset = c;
        return this;
    }

    SyntheticArchive entry(Entry e) {
        entries.add(e);
        return this;
    }

    /** A table data block made of these chunks ({@code _StartData}, {@code _CustomWriteFunc}, {@code _EndData}). */
    SyntheticArchive dataBlock(int dumpId, byte[]... chunks) {
        blocks.put(dumpId, w -> {
            w.out.write(CustomArchiveScanner.BLK_DATA);
            w.writeInt(dumpId);
            for (byte[] c : chunks) {
                w.writeInt(c.length);
                w.out.writeBytes(c);
            }
            w.writeInt(0);
        });
        return this;
    }

    /** A large-object block: per object its OID, its chunks, a zero; a zero OID at the end. */
    SyntheticArchive blobsBlock(int dumpId, Map<Long, List<byte[]>> objects) {
        blocks.put(dumpId, w -> {
            w.out.write(CustomArchiveScanner.BLK_BLOBS);
            w.writeInt(dumpId);
            objects.forEach((oid, chunks) -> {
                // WriteInt takes a C int: OIDs above 2^31 arrive negative.
                w.writeInt((int) (long) oid);
                for (byte[] c : chunks) {
                    w.writeInt(c.length);
                    w.out.writeBytes(c);
                }
                w.writeInt(0);
            });
            w.writeInt(0);
        });
        return this;
    }

    /** Header and TOC only. */
    byte[] tocBytes() {
        Writer w = new Writer();
        w.out.writeBytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
        w.out.write(version.major());
        w.out.write(version.minor());
        w.out.write(version.revision());
        w.out.write(intSize);
        w.out.write(offSize);
        w.out.write(formatCode);
        if (version.atLeast(ArchiveVersion.V1_15)) {
            w.out.write(compression);
        } else {
            w.writeInt(compression);
        }
        for (int v : new int[] {7, 6, 5, 4, 2, 124, 0}) {
            w.writeInt(v);
        }
        w.writeStr("sample", StandardCharsets.UTF_8);
        w.writeStr("15.18", StandardCharsets.UTF_8);
        w.writeStr("15.18", StandardCharsets.UTF_8);
        w.writeInt(entries.size());
        Charset cs = StandardCharsets.UTF_8;
        for (Entry e : entries) {
            w.writeInt(e.dumpId());
            w.writeInt(e.hadDumper() ? 1 : 0);
            w.writeStr(e.oid() == 0 ? "0" : "1259", cs);
            w.writeStr(Long.toString(e.oid()), cs);
            w.writeStr(e.tag(), cs);
            w.writeStr(e.desc(), cs);
            w.writeInt(e.section().code());
            w.writeStr(e.defn(), cs);
            w.writeStr(e.dropStmt(), cs);
            w.writeStr(e.hadDumper() && e.desc().equals("TABLE DATA") ? "COPY x FROM stdin;\n" : "", cs);
            w.writeStr(e.namespace(), cs);
            w.writeStr(e.namespace() == null ? null : "", cs);
            if (version.atLeast(ArchiveVersion.V1_14)) {
                w.writeStr(e.desc().equals("TABLE") ? "heap" : null, cs);
            }
            if (version.atLeast(ArchiveVersion.V1_16)) {
                w.writeInt(e.relkind());
            }
            w.writeStr(e.owner(), cs);
            w.writeStr("false", cs);
            for (int d : e.deps()) {
                w.writeStr(Integer.toString(d), cs);
            }
            w.writeStr(null, cs);
            if (formatCode == ArchiveFormat.CUSTOM.code()) {
                // K_OFFSET_POS_NOT_SET for data written to a pipe, K_OFFSET_NO_DATA otherwise.
                w.out.write(e.hadDumper() ? 1 : 3);
                for (int i = 0; i < offSize; i++) {
                    w.out.write(0);
                }
            } else {
                w.writeStr(e.dataFile() == null ? "" : e.dataFile(), cs);
            }
            if (e.desc().equals("ENCODING")) {
                cs = charset;
            }
        }
        return w.out.toByteArray();
    }

    /** The whole archive: header, TOC, then the blocks in the order they were added. */
    byte[] bytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(tocBytes());
        blocks().values().forEach(all::writeBytes);
        return all.toByteArray();
    }

    /** Bytes of header and TOC. */
    long tocLength() {
        return tocBytes().length;
    }

    /** The block bytes by dump id, in order. */
    Map<Integer, byte[]> blocks() {
        Map<Integer, byte[]> encoded = new LinkedHashMap<>();
        blocks.forEach((id, writer) -> {
            Writer w = new Writer();
            writer.accept(w);
            encoded.put(id, w.out.toByteArray());
        });
        return encoded;
    }

    private final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void writeInt(long i) {
            out.write(i < 0 ? 1 : 0);
            long v = Math.abs(i);
            for (int b = 0; b < intSize; b++) {
                out.write((int) (v & 0xff));
                v >>>= 8;
            }
        }

        void writeStr(String s, Charset cs) {
            if (s == null) {
                writeInt(-1);
                return;
            }
            byte[] b = s.getBytes(cs);
            writeInt(b.length);
            out.writeBytes(b);
        }
    }

    /** A minimal custom archive: settings, a schema, two tables with data, large objects. */
    static SyntheticArchive sample() {
        Map<Long, List<byte[]>> los = new LinkedHashMap<>();
        los.put(16400L, List.of(bytes(3000, 1), bytes(17, 2)));
        los.put(16401L, List.of());
        los.put(3_000_000_000L, List.of(bytes(1, 3)));
        return new SyntheticArchive()
                .entry(Entry.plain(10, "ENCODING", TocSection.PRE_DATA, "ENCODING", "SET client_encoding = 'UTF8';\n", null))
                .entry(Entry.plain(11, "STDSTRINGS", TocSection.PRE_DATA, "STDSTRINGS",
                        "SET standard_conforming_strings = 'on';\n", null))
                .entry(Entry.plain(12, "SEARCHPATH", TocSection.PRE_DATA, "SEARCHPATH",
                        "SELECT pg_catalog.set_config('search_path', '', false);\n", null))
                .entry(Entry.plain(5, "SCHEMA", TocSection.PRE_DATA, "äpp", "CREATE SCHEMA \"äpp\";\n", "DROP SCHEMA \"äpp\";\n"))
                .entry(Entry.plain(20, "TABLE", TocSection.PRE_DATA, "t1", "CREATE TABLE public.t1 (a int);\n",
                        "DROP TABLE public.t1;\n"))
                .entry(Entry.plain(21, "TABLE", TocSection.PRE_DATA, "t2", "CREATE TABLE public.t2 (a int);\n",
                        "DROP TABLE public.t2;\n"))
                .entry(Entry.data(30, "t1", List.of(20)))
                .entry(Entry.data(31, "t2", List.of(21)))
                .entry(Entry.plain(32, "SEQUENCE SET", TocSection.DATA, "s", "SELECT pg_catalog.setval('s', 1);\n", ""))
                .entry(Entry.blobs(33))
                .entry(Entry.plain(40, "INDEX", TocSection.POST_DATA, "t1_a", "CREATE INDEX t1_a ON public.t1 (a);\n",
                        "DROP INDEX public.t1_a;\n"))
                .dataBlock(30, bytes(100, 4), bytes(5000, 5), bytes(1, 6))
                .dataBlock(31)
                .blobsBlock(33, los);
    }

    /** {@code n} bytes derived from {@code seed}, including zeros and 0xff. */
    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed * 7);
        }
        return b;
    }
}
