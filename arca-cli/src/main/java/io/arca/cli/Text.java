package io.arca.cli;

import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.status.RecoveryStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formatting for people: sizes, durations, times, aligned tables; and JSON for machines. */
final class Text {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Text() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** A duration with sub-second precision where it is short: {@code 0.42s}, {@code 1m 3.5s}, {@code 5h 2m}. */
    static String duration(Duration d) {
        return RecoveryStatus.readable(d);
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    static void json(PrintWriter out, Object value) {
        out.println(new String(RepositoryJson.write(value), java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
    }

    /** A table with left-aligned columns separated by two spaces. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        Table row(Object... cells) {
            String[] r = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                r[i] = cells[i] == null ? "-" : cells[i].toString();
            }
            rows.add(r);
            return this;
        }

        void print(PrintWriter out) {
            int cols = rows.get(0).length;
            int[] width = new int[cols];
            for (String[] r : rows) {
                for (int i = 0; i < cols; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < cols; i++) {
                    sb.append(r[i]);
                    if (i < cols - 1) {
                        sb.append(" ".repeat(width[i] - r[i].length() + 2));
                    }
                }
                out.println(sb.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
