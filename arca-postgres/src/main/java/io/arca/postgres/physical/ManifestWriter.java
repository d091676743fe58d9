package io.arca.postgres.physical;

import io.arca.core.pipeline.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@code backup_manifest} in PostgreSQL's own format, line for line as the server's
 * {@code backup_manifest.c} does, for the backups Arca reads from the data directory itself
 * ({@code --pgdata}), which no server manifest describes. {@link ServerManifest} reads it back,
 * and so does {@code pg_verifybackup}.
 */
final class ManifestWriter {
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ManifestWriter() {
    }

    /**
     * The manifest's bytes.
     *
     * @param version 1 (PostgreSQL 13 to 16) or 2 (17 and newer, with the system identifier)
     */
    static byte[] write(int version, long systemIdentifier, List<ServerManifest.File> files,
            List<ServerManifest.WalRange> walRanges) {
        StringBuilder b = new StringBuilder(128 + files.size() * 160);
        b.append("{ \"PostgreSQL-Backup-Manifest-Version\": ").append(version).append(",\n");
        if (version >= 2) {
            b.append("\"System-Identifier\": ").append(Long.toUnsignedString(systemIdentifier)).append(",\n");
        }
        b.append("\"Files\": [");
        boolean first = true;
        for (ServerManifest.File f : files) {
            b.append(first ? "\n" : ",\n");
            first = false;
            b.append("{ \"Path\": ");
            json(b, f.path());
            b.append(", \"Size\": ").append(f.size());
            b.append(", \"Last-Modified\": \"").append(LAST_MODIFIED.format(
                    f.lastModified() == null ? Instant.EPOCH : f.lastModified())).append('"');
            if (f.hasChecksum()) {
                b.append(", \"Checksum-Algorithm\": \"").append(f.checksumAlgorithm()).append("\", \"Checksum\": \"")
                        .append(f.checksum()).append('"');
            }
            b.append(" }");
        }
        b.append("\n],\n\"WAL-Ranges\": [");
        first = true;
        for (ServerManifest.WalRange r : walRanges) {
            b.append(first ? "\n" : ",\n");
            first = false;
            b.append("{ \"Timeline\": ").append(r.timeline().value()).append(", \"Start-LSN\": \"").append(r.start())
                    .append("\", \"End-LSN\": \"").append(r.end()).append("\" }");
        }
        b.append("\n],\n");
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        java.security.MessageDigest sha = Sha256.newDigest();
        sha.update(body);
        byte[] tail = ("\"Manifest-Checksum\": \"" + Sha256.hex(sha) + "\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[body.length + tail.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(tail, 0, all, body.length, tail.length);
        return all;
    }

    /** A JSON string as PostgreSQL's {@code escape_json} writes it. */
    private static void json(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
