package io.arca.postgres.logical;

import java.util.regex.Pattern;

/** A table by schema and name, as PostgreSQL spells them (case kept, unquoted). */
public record TableRef(String schema, String name) implements Comparable<TableRef> {
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

    /** {@code schema.name}, each part double-quoted where SQL needs it. */
    public String qualified() {
        return quote(schema) + "." + quote(name);
    }

    /** Quotes an identifier where needed, like PostgreSQL's {@code quote_ident}. */
    public static String quote(String identifier) {
        if (PLAIN_IDENTIFIER.matcher(identifier).matches()) {
            return identifier;
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public int compareTo(TableRef o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return qualified();
    }
}
