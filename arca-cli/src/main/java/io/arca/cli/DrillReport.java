package io.arca.cli;

import io.arca.core.repo.DrillRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** Renders a drill's evidence for people: a terminal report, or a Markdown document to file as the drill record. */
final class DrillReport {
    private static final int TABLE_PROBLEMS_SHOWN = 20;

    private DrillReport() {
    }

    /** The measured RTO against its objective: {@code 21.3s (RTO 4h: met)}. */
    static String rto(DrillRecord d) {
        if (d.rtoMillis() == null) {
            return "-";
        }
        String measured = Text.duration(Duration.ofMillis(d.rtoMillis()));
        if (d.rtoTarget() == null) {
            return measured;
        }
        boolean met = d.rtoMillis() <= io.arca.core.repo.retention.DurationText.parse(d.rtoTarget()).toMillis();
        return measured + " (RTO " + d.rtoTarget() + ": " + (met ? "met" : "MISSED") + ")";
    }

    static void text(DrillRecord d, String evidence, PrintWriter out) {
        out.println("drill       " + d.drillId());
        out.println("backup      " + d.backupId() + (d.database() == null ? "" : " of '" + d.database() + "'") + ", "
                + Text.duration(Duration.ofSeconds(d.backupAgeSeconds())) + " old at drill time");
        if (d.scratch() != null) {
            out.println("scratch     " + scratch(d.scratch()));
        }
        out.println("timings     " + timings(d));
        out.println("measured    RTO " + rto(d));
        long matching = d.tables().stream().filter(DrillRecord.TableCheck::ok).count();
        long rows = d.tables().stream().filter(DrillRecord.TableCheck::ok)
                .mapToLong(t -> t.actualRows() == null ? 0 : t.actualRows()).sum();
        if (!d.tables().isEmpty()) {
            out.println("tables      " + matching + " of " + d.tables().size() + " match the manifest (" + rows + " rows)");
        }
        d.tables().stream().filter(t -> !t.ok()).limit(TABLE_PROBLEMS_SHOWN).forEach(t -> out.println("  FAIL      "
                + t.schema() + "." + t.name() + ": " + tableProblem(t)));
        if (d.migration() != null) {
            out.println("migration   " + (d.migration().ok() ? "ok    " : "FAIL  ") + "expected " + migration(d.migration(), true)
                    + ", found " + migration(d.migration(), false));
        }
        for (DrillRecord.QueryCheck q : d.checks()) {
            out.println("check       " + (q.ok() ? "ok    " : "FAIL  ") + q.sql() + " -> " + q.actual() + " (expected "
                    + q.expect() + ")");
        }
        for (DrillRecord.SectionCheck c : d.sections()) {
            out.println("section     " + (c.ok() ? "ok    " : "FAIL  ") + c.source() + " " + c.subject()
                    + (c.ok() ? " (" + String.join("; ", c.checks()) + ")" : ": " + c.problem()));
        }
        out.println("verdict     " + (d.passed() ? "PASS" : "FAIL: " + d.failure()));
        out.println("evidence    " + evidence);
        out.flush();
    }

    static void markdown(DrillRecord d, String repository, String evidence, PrintWriter out) {
        out.println("# Restore drill " + d.drillId());
        out.println();
        out.println("| | |");
        out.println("|---|---|");
        row(out, "Verdict", d.passed() ? "**PASS**" : "**FAIL**: " + d.failure());
        row(out, "Backup", "`" + d.backupId() + "`, taken " + Text.time(d.backupStartedAt()) + ", "
                + Text.duration(Duration.ofSeconds(d.backupAgeSeconds())) + " old at drill time");
        row(out, "Database", d.database());
        row(out, "Repository", "`" + repository + "`");
        row(out, "Scratch target", d.scratch() == null ? "-" : scratch(d.scratch()));
        row(out, "Drill ran", Text.time(d.startedAt()) + " to " + Text.time(d.finishedAt()));
        row(out, "Measured RTO", rto(d) + " (restore and checks)");
        row(out, "Timings", timings(d));
        row(out, "Tools", d.tools().toString());
        row(out, "Evidence", "`" + evidence + "`");
        out.println();
        out.println("## Tables");
        out.println();
        out.println("| table | rows in backup | rows restored | result |");
        out.println("|---|---:|---:|---|");
        for (DrillRecord.TableCheck t : d.tables()) {
            out.println("| " + t.schema() + "." + t.name() + " | " + (t.inBackup() ? orDash(t.expectedRows()) : "not in backup")
                    + " | " + (t.actualRows() == null ? "missing" : t.actualRows()) + " | " + (t.ok() ? "ok" : "FAIL") + " |");
        }
        if (d.migration() != null) {
            out.println();
            out.println("## Schema migration version");
            out.println();
            out.println("Expected `" + migration(d.migration(), true) + "`, found `" + migration(d.migration(), false)
                    + "`: " + (d.migration().ok() ? "ok" : "FAIL") + ".");
        }
        if (!d.checks().isEmpty()) {
            out.println();
            out.println("## Checks");
            out.println();
            out.println("| query | expected | result | |");
            out.println("|---|---|---|---|");
            for (DrillRecord.QueryCheck q : d.checks()) {
                out.println("| `" + q.sql().replace("|", "\\|") + "` | `" + q.expect() + "` | " + q.actual() + " | "
                        + (q.ok() ? "ok" : "FAIL") + " |");
            }
        }
        if (!d.sections().isEmpty()) {
            out.println();
            out.println("## Other sections");
            out.println();
            out.println("| source | subject | checks | result |");
            out.println("|---|---|---|---|");
            for (DrillRecord.SectionCheck c : d.sections()) {
                out.println("| " + c.source() + " | " + c.subject() + " | " + String.join("; ", c.checks())
                        .replace("|", "\\|") + " | " + (c.ok() ? "ok" : "FAIL: " + String.valueOf(c.problem())
                        .replace("|", "\\|")) + " |");
            }
        }
        out.flush();
    }

    private static void row(PrintWriter out, String name, String value) {
        out.println("| " + name + " | " + (value == null ? "-" : value.replace("|", "\\|")) + " |");
    }

    private static String migration(DrillRecord.MigrationCheck m, boolean expected) {
        if (expected) {
            return m.expectedTool() + " " + m.expected();
        }
        return m.actual() == null ? "none" : m.actualTool() + " " + m.actual();
    }

    private static String orDash(Long n) {
        return n == null ? "-" : n.toString();
    }

    private static String tableProblem(DrillRecord.TableCheck t) {
        if (!t.inBackup()) {
            return "not in the backup's manifest (" + t.actualRows() + " rows)";
        }
        if (t.actualRows() == null) {
            return "missing (the backup recorded " + orDash(t.expectedRows()) + " rows)";
        }
        return t.actualRows() + " rows, the backup recorded " + t.expectedRows();
    }

    private static String scratch(DrillRecord.Scratch s) {
        return s.kind().equals("server") ? "database '" + s.database() + "' on " + s.host() + " (PostgreSQL "
                + s.serverVersion() + "), dropped afterwards"
                : "ephemeral cluster, PostgreSQL " + s.serverVersion() + ", removed afterwards";
    }

    private static String timings(DrillRecord d) {
        List<String> parts = new java.util.ArrayList<>();
        d.timings().forEach((k, v) -> parts.add(k.replace("Millis", "") + " " + Text.duration(Duration.ofMillis(v))));
        return String.join(", ", parts);
    }
}
