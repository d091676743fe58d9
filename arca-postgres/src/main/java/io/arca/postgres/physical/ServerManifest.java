package io.arca.postgres.physical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import io.arca.postgres.wal.TimelineId;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A PostgreSQL {@code backup_manifest}: the list of files of a base backup with sizes and
 * checksums, the WAL needed to make it consistent, and a SHA-256 of the manifest itself. Versions
 * 1 (PostgreSQL 13-16) and 2 (17+, adds {@code System-Identifier}).
 *
 * <p>Parsed as PostgreSQL's {@code parse_manifest.c} does: the version must be the first field,
 * unknown fields are errors, a file needs {@code Path} or {@code Encoded-Path} (hexadecimal bytes,
 * used for names that are not valid UTF-8; decoded here as UTF-8, as tar names are) and {@code
 * Size}, duplicate paths are errors, and the {@code Manifest-Checksum} (SHA-256 of the text up to
 * and including the newline before the last line) must be present and right. {@code
 * Last-Modified} is informational: PostgreSQL ignores it and so does every check here; a value
 * in another format gives {@code null}.
 *
 * <p>The text is read as a stream (Jackson's streaming parser; the manifest digest lags one line
 * behind the input), so only the parsed entries are held in memory. Immutable once parsed.
 */
public final class ServerManifest {
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();
    private static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'", Locale.ROOT);
    private static final String HINT = "the backup's backup_manifest is damaged or was not written by PostgreSQL; "
            + "run arca verify on the backup, or restore another backup";
    /** A manifest line longer than this is not one PostgreSQL writes. */
    private static final int MAX_LINE = 1 << 20;

    private final int version;
    private final OptionalLong systemIdentifier;
    private final List<File> files;
    private final Map<String, File> byPath;
    private final List<WalRange> walRanges;
    private final String manifestChecksum;

    private ServerManifest(int version, OptionalLong systemIdentifier, List<File> files, Map<String, File> byPath,
            List<WalRange> walRanges, String manifestChecksum) {
        this.version = version;
        this.systemIdentifier = systemIdentifier;
        this.files = Collections.unmodifiableList(files);
        this.byPath = byPath;
        this.walRanges = Collections.unmodifiableList(walRanges);
        this.manifestChecksum = manifestChecksum;
    }

    /**
     * One file of the backup.
     *
     * @param path relative to the data directory; tablespace files as {@code
     *     pg_tblspc/<oid>/PG_<version>_<catversion>/...}
     * @param lastModified as the server reported it, or null when absent or unparsable
     * @param checksumAlgorithm {@code CRC32C}, {@code SHA224}, {@code SHA256}, {@code SHA384},
     *     {@code SHA512} or {@code NONE}
     * @param checksum lowercase hexadecimal, null for {@code NONE}
     */
    public record File(String path, long size, Instant lastModified, String checksumAlgorithm, String checksum) {
        /** Whether the manifest gives a checksum to compare with. */
        public boolean hasChecksum() {
            return checksum != null && !"NONE".equals(checksumAlgorithm);
        }
    }

    /** WAL from {@code start} to {@code end} on {@code timeline} that the backup needs. */
    public record WalRange(TimelineId timeline, Lsn start, Lsn end) {
    }

    /**
     * Parses and checks a manifest; does not close {@code in}.
     *
     * @throws ArcaException VERIFICATION_FAILED when it is not a valid manifest or its checksum
     *     is missing or wrong
     * @throws UncheckedIOException when reading {@code in} fails
     */
    public static ServerManifest parse(InputStream in) {
        LineLaggingDigest digest = new LineLaggingDigest(in);
        Parser p = new Parser();
        try (JsonParser json = JSON.createParser(digest)) {
            p.parse(json);
            digest.drain();
        } catch (JsonProcessingException e) {
            throw corrupt("it is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the backup manifest: " + e.getMessage(), e);
        }
        String actual = digest.finish();
        if (p.manifestChecksum == null) {
            throw corrupt("it has no Manifest-Checksum");
        }
        if (!p.manifestChecksum.matches("[0-9a-fA-F]{64}")) {
            throw corrupt("invalid Manifest-Checksum '" + p.manifestChecksum + "'");
        }
        if (!p.manifestChecksum.equalsIgnoreCase(actual)) {
            throw corrupt("the manifest checksum does not match (manifest says "
                    + p.manifestChecksum.toLowerCase(Locale.ROOT) + ", computed " + actual + ")");
        }
        return new ServerManifest(p.version, p.systemIdentifier, p.files, p.byPath, p.walRanges,
                p.manifestChecksum.toLowerCase(Locale.ROOT));
    }

    /** Parses the manifest file {@code file}. */
    public static ServerManifest parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        } catch (IOException | UncheckedIOException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot read the backup manifest '" + file + "': " + e.getMessage(),
                    "check that the file exists and is readable", e);
        }
    }

    /** 1 (PostgreSQL 13-16) or 2 (17+). */
    public int version() {
        return version;
    }

    /** The cluster's system identifier (version 2 manifests), unsigned. */
    public OptionalLong systemIdentifier() {
        return systemIdentifier;
    }

    /** The files in manifest order. */
    public List<File> files() {
        return files;
    }

    public List<WalRange> walRanges() {
        return walRanges;
    }

    /** The file at {@code path}, or null. */
    public File file(String path) {
        return byPath.get(path);
    }

    /** The manifest's own SHA-256 ({@code Manifest-Checksum}), lowercase hexadecimal. */
    public String manifestChecksum() {
        return manifestChecksum;
    }

    /** The sum of the files' sizes. */
    public long totalSize() {
        long total = 0;
        for (File f : files) {
            total += f.size();
        }
        return total;
    }

    private static ArcaException corrupt(String detail) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "invalid backup manifest: " + detail, HINT);
    }

    /** The state machine of PostgreSQL's manifest parser, over Jackson tokens. */
    private static final class Parser {
        int version;
        OptionalLong systemIdentifier = OptionalLong.empty();
        final List<File> files = new ArrayList<>();
        final Map<String, File> byPath = new HashMap<>();
        final List<WalRange> walRanges = new ArrayList<>();
        String manifestChecksum;

        void parse(JsonParser json) throws IOException {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw corrupt("expected a JSON object");
            }
            boolean first = true;
            boolean sawChecksum = false;
            for (JsonToken t = json.nextToken(); t != JsonToken.END_OBJECT; t = json.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw corrupt("unexpected " + t);
                }
                String field = json.currentName();
                if (first) {
                    if (!"PostgreSQL-Backup-Manifest-Version".equals(field)) {
                        throw corrupt("expected the version indicator first, found '" + field + "'");
                    }
                    first = false;
                    String v = scalar(json, field);
                    if (!v.equals("1") && !v.equals("2")) {
                        throw corrupt("unsupported manifest version " + v + " (this Arca reads versions 1 and 2)");
                    }
                    version = Integer.parseInt(v);
                    continue;
                }
                if (sawChecksum) {
                    throw corrupt("unexpected field '" + field + "' after Manifest-Checksum");
                }
                switch (field) {
                    case "System-Identifier" -> {
                        String v = scalar(json, field);
                        try {
                            systemIdentifier = OptionalLong.of(Long.parseUnsignedLong(v));
                        } catch (NumberFormatException e) {
                            throw corrupt("System-Identifier '" + v + "' is not an integer");
                        }
                    }
                    case "Files" -> files(json);
                    case "WAL-Ranges" -> walRanges(json);
                    case "Manifest-Checksum" -> {
                        manifestChecksum = scalar(json, field);
                        sawChecksum = true;
                    }
                    default -> throw corrupt("unrecognized top-level field '" + field + "'");
                }
            }
            if (first) {
                throw corrupt("expected the version indicator first");
            }
            if (json.nextToken() != null) {
                throw corrupt("data after the end of the manifest");
            }
        }

        private void files(JsonParser json) throws IOException {
            if (json.nextToken() != JsonToken.START_ARRAY) {
                throw corrupt("Files is not an array");
            }
            for (JsonToken t = json.nextToken(); t != JsonToken.END_ARRAY; t = json.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    throw corrupt("unexpected " + t + " in Files");
                }
                String path = null;
                String encodedPath = null;
                String size = null;
                String lastModified = null;
                String algorithm = null;
                String checksum = null;
                for (JsonToken f = json.nextToken(); f != JsonToken.END_OBJECT; f = json.nextToken()) {
                    if (f != JsonToken.FIELD_NAME) {
                        throw corrupt("unexpected " + f + " in a file entry");
                    }
                    String name = json.currentName();
                    String value = scalar(json, name);
                    switch (name) {
                        case "Path" -> path = value;
                        case "Encoded-Path" -> encodedPath = value;
                        case "Size" -> size = value;
                        case "Last-Modified" -> lastModified = value;
                        case "Checksum-Algorithm" -> algorithm = value;
                        case "Checksum" -> checksum = value;
                        default -> throw corrupt("unexpected file field '" + name + "'");
                    }
                }
                if (path == null && encodedPath == null) {
                    throw corrupt("a file entry without a path");
                }
                if (path != null && encodedPath != null) {
                    throw corrupt("a file entry with both Path and Encoded-Path ('" + path + "')");
                }
                if (encodedPath != null) {
                    try {
                        path = new String(HexFormat.of().parseHex(encodedPath), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw corrupt("could not decode the file name '" + encodedPath + "'");
                    }
                }
                if (size == null) {
                    throw corrupt("no Size for '" + path + "'");
                }
                long bytes;
                try {
                    bytes = Long.parseLong(size);
                } catch (NumberFormatException e) {
                    throw corrupt("the Size of '" + path + "' is not an integer: '" + size + "'");
                }
                if (bytes < 0) {
                    throw corrupt("the Size of '" + path + "' is negative");
                }
                if (algorithm == null && checksum != null) {
                    throw corrupt("'" + path + "' has a checksum without an algorithm");
                }
                String alg = algorithm == null ? "NONE" : algorithm.toUpperCase(Locale.ROOT);
                if (!ManifestChecksum.isKnown(alg)) {
                    throw corrupt("unrecognized checksum algorithm '" + algorithm + "' for '" + path + "'");
                }
                if (checksum != null && checksum.isEmpty()) {
                    checksum = null;
                }
                if (checksum != null) {
                    if (checksum.length() % 2 != 0 || !checksum.matches("[0-9a-fA-F]*")) {
                        throw corrupt("invalid checksum for '" + path + "': '" + checksum + "'");
                    }
                    checksum = checksum.toLowerCase(Locale.ROOT);
                }
                File file = new File(path, bytes, lastModified(lastModified), alg, checksum);
                if (byPath.putIfAbsent(path, file) != null) {
                    throw corrupt("duplicate path '" + path + "'");
                }
                files.add(file);
            }
        }

        private void walRanges(JsonParser json) throws IOException {
            if (json.nextToken() != JsonToken.START_ARRAY) {
                throw corrupt("WAL-Ranges is not an array");
            }
            for (JsonToken t = json.nextToken(); t != JsonToken.END_ARRAY; t = json.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    throw corrupt("unexpected " + t + " in WAL-Ranges");
                }
                String timeline = null;
                String start = null;
                String end = null;
                for (JsonToken f = json.nextToken(); f != JsonToken.END_OBJECT; f = json.nextToken()) {
                    if (f != JsonToken.FIELD_NAME) {
                        throw corrupt("unexpected " + f + " in a WAL range");
                    }
                    String name = json.currentName();
                    String value = scalar(json, name);
                    switch (name) {
                        case "Timeline" -> timeline = value;
                        case "Start-LSN" -> start = value;
                        case "End-LSN" -> end = value;
                        default -> throw corrupt("unexpected WAL range field '" + name + "'");
                    }
                }
                if (timeline == null || start == null || end == null) {
                    throw corrupt("a WAL range without " + (timeline == null ? "Timeline" : start == null ? "Start-LSN" : "End-LSN"));
                }
                try {
                    walRanges.add(new WalRange(new TimelineId(Long.parseLong(timeline)), Lsn.parse(start), Lsn.parse(end)));
                } catch (IllegalArgumentException e) {
                    throw corrupt("invalid WAL range (timeline '" + timeline + "', " + start + " to " + end + ")");
                }
            }
        }

        /** The next value, which must be a string or a number, as text. */
        private static String scalar(JsonParser json, String field) throws IOException {
            JsonToken t = json.nextToken();
            if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw corrupt("unexpected " + t + " as the value of '" + field + "'");
            }
            return json.getText();
        }

        private static Instant lastModified(String text) {
            if (text == null) {
                return null;
            }
            try {
                return LocalDateTime.parse(text, LAST_MODIFIED).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /**
     * Passes the manifest through and digests all of it but the last line, holding back at most
     * one complete line and the partial one after it (PostgreSQL's checksum covers the text up to
     * and including the next-to-last newline).
     */
    private static final class LineLaggingDigest extends FilterInputStream {
        private final MessageDigest sha256;
        private byte[] held = new byte[8192];
        private int heldLength;
        /** Index in {@code held} of the newest newline, or -1. */
        private int lastNewline = -1;
        private long newlines;

        LineLaggingDigest(InputStream in) {
            super(in);
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                accept((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            for (int i = 0; i < n; i++) {
                accept(b[off + i]);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // the caller owns the stream
        }

        private void accept(byte b) {
            if (heldLength == held.length) {
                if (held.length >= 2 * MAX_LINE) {
                    throw corrupt("a line longer than " + MAX_LINE + " bytes");
                }
                held = java.util.Arrays.copyOf(held, held.length * 2);
            }
            held[heldLength++] = b;
            if (b == '\n') {
                newlines++;
                if (lastNewline >= 0) {
                    int upTo = lastNewline + 1;
                    sha256.update(held, 0, upTo);
                    System.arraycopy(held, upTo, held, 0, heldLength - upTo);
                    heldLength -= upTo;
                }
                lastNewline = heldLength - 1;
            }
        }

        void drain() throws IOException {
            byte[] buf = new byte[8192];
            while (read(buf, 0, buf.length) >= 0) {
                // digest what trails the JSON (PostgreSQL ends the file with a newline)
            }
        }

        /** The digest of all but the last line, after checking the file's line structure. */
        String finish() {
            if (newlines < 2) {
                throw corrupt("expected at least 2 lines");
            }
            if (heldLength == 0 || held[heldLength - 1] != '\n') {
                throw corrupt("the last line is not newline-terminated");
            }
            return HexFormat.of().formatHex(sha256.digest());
        }
    }
}
