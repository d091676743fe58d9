package io.arca.postgres.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A libpq password file ({@code ~/.pgpass}): lines {@code host:port:database:user:password},
 * {@code #} comments, {@code *} matching anything in the first four fields, {@code \:} and
 * {@code \\} escaping a colon and a backslash. The first matching line wins. As libpq does, a
 * Unix-domain socket connection matches the host {@code localhost}, and a file readable by group
 * or others is ignored.
 */
public final class PgPass {

    /** One line of the file; fields are unescaped, {@code "*"} matches anything. */
    public record Entry(String host, String port, String database, String user, String password) {
        boolean matches(String h, int p, String db, String u) {
            return field(host, h) && field(port, Integer.toString(p)) && field(database, db)
                    && field(user, u);
        }

        private static boolean field(String pattern, String value) {
            return pattern.equals("*") || pattern.equals(value);
        }
    }

    private final List<Entry> entries;

    private PgPass(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Parses the file's text; lines with fewer than five fields are skipped as libpq does. */
    public static PgPass parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = splitFields(line);
            if (fields.size() >= 5) {
                entries.add(new Entry(fields.get(0), fields.get(1), fields.get(2), fields.get(3),
                        fields.get(4)));
            }
        }
        return new PgPass(entries);
    }

    /**
     * Reads {@code file}; a missing, unreadable or too permissive file gives an empty {@code
     * PgPass}, as libpq treats it.
     */
    public static PgPass read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return new PgPass(List.of());
            }
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                for (PosixFilePermission p : perms) {
                    if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
                        return new PgPass(List.of());
                    }
                }
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: libpq skips the check there too.
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new PgPass(List.of());
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The password of the first matching line. */
    public Optional<String> lookup(String host, int port, String database, String user) {
        String h = host.startsWith("/") ? "localhost" : host;
        for (Entry e : entries) {
            if (e.matches(h, port, database, user)) {
                return Optional.of(e.password());
            }
        }
        return Optional.empty();
    }

    private static List<String> splitFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        fields.add(current.toString());
        return fields;
    }
}
