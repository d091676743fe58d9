package io.arca.postgres.logical;

import io.arca.core.error.UsageException;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A check a drill runs after the restore: a query whose first column of its first row must meet
 * an expectation: {@code >0}, {@code >=10}, {@code <5}, {@code <=5}, {@code =42}, {@code !=0}, or a
 * plain value that must be equal. Numbers compare as numbers, anything else as text; no row
 * compares as {@code null}.
 */
public record UserCheck(String sql, String expect) {
    private static final Pattern OPERATOR = Pattern.compile("^\\s*(>=|<=|!=|=|>|<)?\\s*(.*?)\\s*$", Pattern.DOTALL);

    public UserCheck {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(expect, "expect");
        if (sql.isBlank()) {
            throw new UsageException("empty --check query");
        }
        Matcher m = OPERATOR.matcher(expect);
        if (!m.matches() || m.group(2).isEmpty()) {
            throw new UsageException("invalid --expect '" + expect + "': use >N, >=N, <N, <=N, =V, !=V or a value");
        }
        String op = m.group(1);
        if (op != null && !op.equals("=") && !op.equals("!=") && number(m.group(2)) == null) {
            throw new UsageException("invalid --expect '" + expect + "': " + op + " needs a number");
        }
    }

    /** Whether {@code actual} (the query's value, null when it returned no row or NULL) meets the expectation. */
    public boolean accepts(String actual) {
        Matcher m = OPERATOR.matcher(expect);
        m.matches();
        String op = m.group(1) == null ? "=" : m.group(1);
        String want = m.group(2);
        if (actual == null) {
            return op.equals("!=") ? !want.equalsIgnoreCase("null") : want.equalsIgnoreCase("null") && op.equals("=");
        }
        BigDecimal a = number(actual);
        BigDecimal w = number(want);
        int cmp;
        if (a != null && w != null) {
            cmp = a.compareTo(w);
        } else if (op.equals("=") || op.equals("!=")) {
            cmp = actual.equals(want) ? 0 : 1;
        } else {
            return false;
        }
        return switch (op) {
            case ">" -> cmp > 0;
            case ">=" -> cmp >= 0;
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case "!=" -> cmp != 0;
            default -> cmp == 0;
        };
    }

    private static BigDecimal number(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
