package io.arca.postgres.physical;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers that build and damage tar files byte by byte (no tar code of the main tree used). */
final class TarTestFiles {
    private TarTestFiles() {
    }

    /** One member of a hand-made ustar archive. */
    record Member(String name, char type, int mode, byte[] content, String link) {
        static Member file(String name, String content) {
            return new Member(name, '0', 0600, content.getBytes(StandardCharsets.UTF_8), "");
        }

        static Member file(String name, byte[] content) {
            return new Member(name, '0', 0600, content, "");
        }

        static Member directory(String name) {
            return new Member(name, '5', 0700, new byte[0], "");
        }

        static Member symlink(String name, String target) {
            return new Member(name, '2', 0777, new byte[0], target);
        }

        Member withMode(int newMode) {
            return new Member(name, type, newMode, content, link);
        }
    }

    /** A POSIX ustar archive of {@code members}, ended by two zero blocks, as PostgreSQL writes it. */
    static byte[] ustar(Member... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Member m : members) {
            byte[] h = new byte[512];
            put(h, 0, 100, m.name());
            put(h, 100, 8, String.format("%07o", m.mode()));
            put(h, 108, 8, "0000000");
            put(h, 116, 8, "0000000");
            put(h, 124, 12, String.format("%011o", (long) m.content().length));
            put(h, 136, 12, String.format("%011o", 1_700_000_000L));
            h[156] = (byte) m.type();
            put(h, 157, 100, m.link());
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            checksum(h);
            out.writeBytes(h);
            out.writeBytes(m.content());
            out.writeBytes(new byte[(512 - m.content().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static void checksum(byte[] header) {
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, 8, String.format("%06o", sum) + "\0 ");
    }

    private static void put(byte[] h, int off, int len, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) {
            throw new IllegalArgumentException("'" + value + "' does not fit " + len + " bytes");
        }
        System.arraycopy(b, 0, h, off, b.length);
    }

    /**
     * One ustar header of a tar file: the entry's normalised name (as TarEntry names are), where
     * its header starts, its content size and its type flag.
     */
    private record Header(String name, long position, long size, byte type) {
        /** The header and the content padded to whole blocks. */
        long length() {
            return 512 + (size + 511) / 512 * 512;
        }
    }

    /** The headers of a ustar tar file, up to its end blocks. */
    private static List<Header> headers(Path tar) throws IOException {
        List<Header> headers = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "r")) {
            byte[] h = new byte[512];
            long pos = 0;
            while (pos + 512 <= f.length()) {
                f.seek(pos);
                f.readFully(h);
                if (h[0] == 0) {
                    break;
                }
                Header header = new Header(TarReader.normalise(cString(h, 0, 100)), pos,
                        Long.parseLong(cString(h, 124, 12).trim(), 8), h[156]);
                headers.add(header);
                pos += header.length();
            }
        }
        return headers;
    }

    /** Where an entry's content starts in a tar file, and its size: {offset, size}. */
    static long[] locate(Path tar, String name) throws IOException {
        for (Header h : headers(tar)) {
            if (h.name().equals(name)) {
                return new long[] {h.position() + 512, h.size()};
            }
        }
        throw new IllegalArgumentException("no entry '" + name + "' in " + tar);
    }

    /** Flips the bits of the byte at {@code offset} of entry {@code name}'s content, in place. */
    static void flipByte(Path tar, String name, long offset) throws IOException {
        long[] at = locate(tar, name);
        if (offset >= at[1]) {
            throw new IllegalArgumentException("'" + name + "' has only " + at[1] + " bytes");
        }
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            f.seek(at[0] + offset);
            int b = f.read();
            f.seek(at[0] + offset);
            f.write(b ^ 0xFF);
        }
    }

    /**
     * Copies a ustar tar file without the entries named in {@code drop}, with {@code add}
     * appended (GNU tar's --delete damages PostgreSQL's archives, so tests do it themselves).
     */
    static void rewrite(Path from, Path to, java.util.Set<String> drop, Member... add) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(from.toFile(), "r");
                java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(to))) {
            for (Header h : headers(from)) {
                if (!drop.contains(h.name())) {
                    byte[] block = new byte[(int) h.length()];
                    f.seek(h.position());
                    f.readFully(block);
                    out.write(block);
                }
            }
            out.write(ustar(add));
        }
    }

    /** The names of the regular files in a ustar tar file (normalised as TarEntry names are). */
    static List<String> fileNames(Path tar) throws IOException {
        return headers(tar).stream().filter(h -> h.type() == '0' || h.type() == 0).map(Header::name).toList();
    }

    private static String cString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }
}
