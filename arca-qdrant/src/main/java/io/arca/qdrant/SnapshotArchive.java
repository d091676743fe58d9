package io.arca.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks, as a stream, that a file is a Qdrant collection snapshot: a tar archive (POSIX ustar
 * or GNU, with long names and pax headers, as Rust's {@code tar} crate writes them) whose header
 * checksums and sizes hold and which ends properly, holding Qdrant's {@code version.info}, its
 * collection {@code config.json} (with {@code params}) and at least one shard directory
 * ({@code 0/}, ...). Reads everything to the end, so that the digests a repository stream checks
 * at its end are checked too; only {@code config.json} and {@code version.info} are kept in memory.
 */
final class SnapshotArchive {
    private static final int BLOCK = 512;
    private static final int MAX_KEPT = 16 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotArchive() {
    }

    /**
     * What the check found.
     *
     * @param problems what is wrong, one lowercase line each; empty for a sound snapshot
     * @param members the archive's entries (files, directories, links)
     * @param shards the shard directories ({@code 0}, {@code 1}, ...)
     * @param version the content of {@code version.info}, or null
     * @param config the collection config, or null
     */
    record Result(List<String> problems, int members, Set<String> shards, String version, JsonNode config) {
    }

    static Result check(InputStream in) throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> shards = new TreeSet<>();
        byte[] header = new byte[BLOCK];
        byte[] scratch = new byte[64 * 1024];
        int members = 0;
        String version = null;
        JsonNode config = null;
        String longName = null;
        String paxPath = null;
        Long paxSize = null;
        archive:
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0) {
                problems.add("the tar archive ends without its end-of-archive blocks");
                break;
            }
            if (n < BLOCK) {
                problems.add("the tar archive ends inside a header (truncated)");
                break;
            }
            if (zero(header, BLOCK)) {
                // end of archive: a second zero block, then only zero padding
                if (in.readNBytes(header, 0, BLOCK) < BLOCK || !zero(header, BLOCK)) {
                    problems.add("the tar archive's end-of-archive marker is incomplete");
                }
                for (int r; (r = in.read(scratch)) > 0; ) {
                    if (!zero(scratch, r)) {
                        problems.add("data follows the end of the tar archive");
                        drain(in, scratch);
                        break;
                    }
                }
                break;
            }
            if (!checksumHolds(header)) {
                problems.add("tar header " + (members + 1) + " has a wrong checksum (not a tar archive, or damaged)");
                drain(in, scratch);
                break;
            }
            long size;
            try {
                size = paxSize != null ? paxSize : number(header, 124, 12);
            } catch (NumberFormatException e) {
                problems.add("tar header " + (members + 1) + " has no valid size");
                drain(in, scratch);
                break;
            }
            char type = (char) header[156];
            String name = longName != null ? longName : paxPath != null ? paxPath : name(header);
            long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            boolean keep = type == 'L' || type == 'x' || (type == '0' || type == '\0' || type == '7')
                    && (clean(name).equals("config.json") || clean(name).equals("version.info"));
            byte[] data = null;
            if (keep) {
                if (size > MAX_KEPT) {
                    problems.add("tar member '" + clean(name) + "' is " + size + " bytes, too large for its kind");
                    drain(in, scratch);
                    break;
                }
                data = in.readNBytes((int) size);
                if (data.length < size || !skip(in, padded - size, scratch)) {
                    problems.add("the tar archive ends inside member '" + clean(name) + "' (truncated)");
                    break;
                }
            } else if (!skip(in, padded, scratch)) {
                problems.add("the tar archive ends inside member '" + clean(name) + "' (truncated)");
                break;
            }
            switch (type) {
                case 'L' -> {
                    longName = cString(data);
                    continue;
                }
                case 'x' -> {
                    String path = pax(data, "path");
                    String paxSizeText = pax(data, "size");
                    paxPath = path;
                    try {
                        paxSize = paxSizeText == null ? null : Long.parseLong(paxSizeText.trim());
                    } catch (NumberFormatException e) {
                        problems.add("tar pax header " + (members + 1) + " has no valid size");
                        drain(in, scratch);
                        break archive;
                    }
                    continue;
                }
                case 'g', 'K' -> {
                    continue;
                }
                default -> {
                }
            }
            longName = null;
            paxPath = null;
            paxSize = null;
            members++;
            String path = clean(name);
            int slash = path.indexOf('/');
            String first = slash < 0 ? (type == '5' ? path : null) : path.substring(0, slash);
            if (first != null && !first.isEmpty() && first.chars().allMatch(Character::isDigit)) {
                shards.add(first);
            }
            if (data != null && path.equals("version.info")) {
                version = new String(data, StandardCharsets.UTF_8).strip();
            }
            if (data != null && path.equals("config.json")) {
                try {
                    config = JSON.readTree(data);
                } catch (IOException e) {
                    problems.add("the snapshot's config.json is not json");
                }
            }
        }
        if (problems.isEmpty()) {
            if (version == null) {
                problems.add("the snapshot holds no version.info: not a qdrant collection snapshot");
            }
            if (config == null) {
                problems.add("the snapshot holds no config.json: not a qdrant collection snapshot");
            } else if (!config.path("params").isObject()) {
                problems.add("the snapshot's config.json holds no collection params");
            }
            if (shards.isEmpty()) {
                problems.add("the snapshot holds no shard directory (0/, ...)");
            }
        }
        return new Result(List.copyOf(problems), members, shards, version, config);
    }

    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        // POSIX ustar splits long paths into prefix and name; GNU uses the prefix bytes otherwise
        boolean posix = h[257] == 'u' && h[258] == 's' && h[262] == 0;
        if (posix && h[345] != 0) {
            return cString(h, 345, 155) + "/" + name;
        }
        return name;
    }

    private static boolean checksumHolds(byte[] h) {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        long recorded;
        try {
            recorded = number(h, 148, 8);
        } catch (NumberFormatException e) {
            return false;
        }
        return recorded == unsigned || recorded == signed;
    }

    private static long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            // GNU base-256 for sizes of 8 GiB and more
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = new String(h, off, len, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static String pax(byte[] data, String key) {
        String records = new String(data, StandardCharsets.UTF_8);
        String value = null;
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals(key)) {
                value = line.substring(eq + 1);
            }
        }
        return value;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean zero(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads past {@code n} bytes (read, not skipped: a repository stream digests what it is read). */
    private static boolean skip(InputStream in, long n, byte[] scratch) throws IOException {
        while (n > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
            if (r < 0) {
                return false;
            }
            n -= r;
        }
        return true;
    }

    private static void drain(InputStream in, byte[] scratch) throws IOException {
        while (in.read(scratch) >= 0) {
            // to the end, where the stream checks its digests
        }
    }
}
