package io.arca.postgres.logical;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a {@code pg_dumpall --globals-only} script, each with the role or tablespace
 * it is about, so that a restore can create what is missing and leave the rest alone rather
 * than run the script blindly (which fails on the first role that exists).
 *
 * <p>The script is split at semicolons outside quotes, dollar quotes and comments; psql
 * meta-commands ({@code \restrict}, {@code \connect}) are dropped. Each statement is classified
 * by its head: {@code CREATE/ALTER/COMMENT ON/SECURITY LABEL ... ROLE name}, role membership
 * {@code GRANT group TO member}, privileges granted to a role ({@code GRANT SET ON PARAMETER ...
 * TO role}), {@code CREATE/ALTER/COMMENT ON/GRANT/REVOKE ... TABLESPACE name}, and {@code SET}.
 *
 * @param statements in script order
 */
public record GlobalsScript(List<Statement> statements) {

    /** What a statement is about. */
    public enum Kind {
        /** A session setting ({@code SET ...}). */
        SETTING,
        /** Creates, alters, comments or labels a role ({@code name}); privileges granted to it. */
        ROLE,
        /** Makes {@code member} a member of the role {@code name}. */
        MEMBERSHIP,
        /** Creates, alters, comments, grants or revokes on a tablespace ({@code name}). */
        TABLESPACE,
        /** Anything else: not run. */
        OTHER
    }

    /**
     * One statement.
     *
     * @param kind what it is about
     * @param name the role or tablespace, unquoted; {@code null} for settings and others
     * @param member for a membership, the member role; {@code null} otherwise
     * @param creates whether it is the {@code CREATE ROLE} or {@code CREATE TABLESPACE}
     * @param sql the statement, without its semicolon
     */
    public record Statement(Kind kind, String name, String member, boolean creates, String sql) {
    }

    private static final String IDENT = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern ROLE = Pattern.compile(
            "(?is)(CREATE|ALTER)\\s+ROLE\\s+" + IDENT + "(?:\\s.*)?");
    private static final Pattern ROLE_NOTE = Pattern.compile(
            "(?is)(?:COMMENT\\s+ON|SECURITY\\s+LABEL\\s+(?:FOR\\s+\\S+\\s+)?ON)\\s+ROLE\\s+" + IDENT + "\\s.*");
    private static final Pattern TABLESPACE = Pattern.compile(
            "(?is)(CREATE|ALTER)\\s+TABLESPACE\\s+" + IDENT + "(?:\\s.*)?");
    private static final Pattern TABLESPACE_NOTE = Pattern.compile(
            "(?is)(?:COMMENT\\s+ON|SECURITY\\s+LABEL\\s+(?:FOR\\s+\\S+\\s+)?ON)\\s+TABLESPACE\\s+" + IDENT + "\\s.*");
    private static final Pattern TABLESPACE_ACL = Pattern.compile(
            "(?is)(?:GRANT|REVOKE)\\s.*?\\sON\\s+TABLESPACE\\s+" + IDENT + "\\s.*");
    private static final Pattern MEMBERSHIP = Pattern.compile(
            "(?is)GRANT\\s+" + IDENT + "\\s+TO\\s+" + IDENT + "(?:\\s+WITH\\s.*?)?(?:\\s+GRANTED\\s+BY\\s+\\S+)?\\s*");
    private static final Pattern PRIVILEGE_TO_ROLE = Pattern.compile(
            "(?is)GRANT\\s.*?\\sON\\s+PARAMETER\\s.*?\\sTO\\s+" + IDENT + "(?:\\s+WITH\\s+GRANT\\s+OPTION)?"
                    + "(?:\\s+GRANTED\\s+BY\\s+\\S+)?\\s*");

    public GlobalsScript {
        statements = List.copyOf(statements);
    }

    /** Parses a script as {@code pg_dumpall --globals-only} writes it. */
    public static GlobalsScript parse(String script) {
        List<Statement> out = new ArrayList<>();
        for (String sql : split(script)) {
            out.add(classify(sql));
        }
        return new GlobalsScript(out);
    }

    static Statement classify(String sql) {
        Matcher m;
        if (sql.regionMatches(true, 0, "SET ", 0, 4)) {
            return new Statement(Kind.SETTING, null, null, false, sql);
        }
        if ((m = ROLE.matcher(sql)).matches()) {
            return new Statement(Kind.ROLE, ident(m.group(2)), null, m.group(1).equalsIgnoreCase("CREATE"), sql);
        }
        if ((m = ROLE_NOTE.matcher(sql)).matches() || (m = PRIVILEGE_TO_ROLE.matcher(sql)).matches()) {
            return new Statement(Kind.ROLE, ident(m.group(1)), null, false, sql);
        }
        if ((m = TABLESPACE.matcher(sql)).matches()) {
            return new Statement(Kind.TABLESPACE, ident(m.group(2)), null, m.group(1).equalsIgnoreCase("CREATE"), sql);
        }
        if ((m = TABLESPACE_NOTE.matcher(sql)).matches() || (m = TABLESPACE_ACL.matcher(sql)).matches()) {
            return new Statement(Kind.TABLESPACE, ident(m.group(1)), null, false, sql);
        }
        if ((m = MEMBERSHIP.matcher(sql)).matches()) {
            return new Statement(Kind.MEMBERSHIP, ident(m.group(1)), ident(m.group(2)), false, sql);
        }
        return new Statement(Kind.OTHER, null, null, false, sql);
    }

    private static String ident(String token) {
        if (token.startsWith("\"")) {
            return token.substring(1, token.length() - 1).replace("\"\"", "\"");
        }
        return token.toLowerCase(Locale.ROOT);
    }

    /** The statements of a script: split at semicolons outside quotes and comments, trimmed, meta-commands dropped. */
    static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = script.length();
        boolean lineStart = true;
        while (i < n) {
            char c = script.charAt(i);
            if (lineStart && c == '\\' && cur.toString().isBlank()) {
                // psql meta-command: to the end of the line
                int eol = script.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
                continue;
            }
            lineStart = c == '\n';
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int eol = script.indexOf('\n', i);
                i = eol < 0 ? n : eol;
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < n) {
                    if (script.charAt(end) == c) {
                        if (end + 1 < n && script.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                cur.append(script, i, Math.min(end + 1, n));
                i = end + 1;
                continue;
            }
            if (c == '$') {
                Matcher tag = Pattern.compile("\\$[A-Za-z_0-9]*\\$").matcher(script).region(i, n);
                if (tag.lookingAt()) {
                    int close = script.indexOf(tag.group(), tag.end());
                    int end = close < 0 ? n : close + tag.group().length();
                    cur.append(script, i, end);
                    i = end;
                    continue;
                }
            }
            if (c == ';') {
                String sql = cur.toString().strip();
                if (!sql.isEmpty()) {
                    out.add(sql);
                }
                cur.setLength(0);
                i++;
                continue;
            }
            cur.append(c);
            i++;
        }
        String rest = cur.toString().strip();
        if (!rest.isEmpty()) {
            out.add(rest);
        }
        return out;
    }
}
