package io.arca.postgres.replication;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A strict reader of the ustar archives PostgreSQL writes: every header's checksum must match,
 * and the archive must end with exactly two zero blocks and nothing after them.
 */
final class TarArchive {

    private static final int BLOCK = 512;

    /** One member: type {@code '0'} file, {@code '5'} directory, {@code '2'} symbolic link. */
    record Entry(String name, char type, long size, String linkName, String sha256) {
        boolean isFile() {
            return type == '0' || type == '\0';
        }
    }

    private TarArchive() {
    }

    /** The archive's entries; throws {@link IllegalStateException} for anything not a valid, terminated tar. */
    static List<Entry> read(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long total = Files.size(file);
        if (total % BLOCK != 0) {
            throw new IllegalStateException(file + ": size " + total + " is not a multiple of 512");
        }
        try (InputStream in = Files.newInputStream(file)) {
            long pos = 0;
            String longName = null;
            while (true) {
                byte[] header = in.readNBytes(BLOCK);
                if (header.length < BLOCK) {
                    throw new IllegalStateException(file + ": no end-of-archive blocks (ends at " + pos + ")");
                }
                pos += BLOCK;
                if (allZero(header)) {
                    byte[] second = in.readNBytes(BLOCK);
                    if (second.length < BLOCK || !allZero(second)) {
                        throw new IllegalStateException(file + ": a lone zero block at " + (pos - BLOCK));
                    }
                    pos += BLOCK;
                    if (pos != total) {
                        throw new IllegalStateException(file + ": " + (total - pos)
                                + " bytes after the end-of-archive blocks (end blocks duplicated?)");
                    }
                    return entries;
                }
                verifyChecksum(file, header, pos - BLOCK);
                String name = string(header, 0, 100);
                String prefix = string(header, 345, 155);
                if (!prefix.isEmpty() && "ustar".equals(string(header, 257, 5))) {
                    name = prefix + "/" + name;
                }
                char type = (char) header[156];
                long size = number(header, 124, 12);
                String link = string(header, 157, 100);
                MessageDigest sha = sha256();
                long left = size;
                byte[] buf = new byte[8192];
                ByteArrayCollector content = type == 'L' ? new ByteArrayCollector() : null;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IllegalStateException(file + ": member '" + name + "' is truncated");
                    }
                    sha.update(buf, 0, n);
                    if (content != null) {
                        content.add(buf, n);
                    }
                    left -= n;
                }
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                in.skipNBytes(padded - size);
                pos += padded;
                if (type == 'L') {
                    longName = content.string();
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if (name.endsWith("/")) {
                    name = name.substring(0, name.length() - 1);
                }
                entries.add(new Entry(name, type, size, link, HexFormat.of().formatHex(sha.digest())));
            }
        }
    }

    private static void verifyChecksum(Path file, byte[] header, long at) {
        long stored = number(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
        }
        if (sum != stored) {
            throw new IllegalStateException(file + ": bad header checksum at offset " + at);
        }
    }

    private static long number(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) {
            long v = b[off] & 0x7F;
            for (int i = off + 1; i < off + len; i++) {
                v = v << 8 | b[i] & 0xFF;
            }
            return v;
        }
        String s = string(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static String string(byte[] b, int off, int len) {
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

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class ByteArrayCollector {
        private byte[] data = new byte[0];

        void add(byte[] b, int n) {
            int old = data.length;
            data = Arrays.copyOf(data, old + n);
            System.arraycopy(b, 0, data, old, n);
        }

        String string() {
            return TarArchive.string(data, 0, data.length);
        }
    }
}
