package io.arca.postgres.replication;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of an ErrorResponse or NoticeResponse: severity ({@code V}, not localised), SQLSTATE
 * ({@code C}), message ({@code M}), detail ({@code D}), hint ({@code H}) and the rest by their
 * one-letter codes.
 */
record ServerError(Map<Character, String> fields) {

    static ServerError parse(PgWire.Body body) throws PgWire.ProtocolException {
        Map<Character, String> f = new TreeMap<>();
        while (body.remaining() > 0) {
            int code = body.int8();
            if (code == 0) {
                break;
            }
            f.put((char) code, body.cstring());
        }
        return new ServerError(Map.copyOf(f));
    }

    /** The five-character SQLSTATE, {@code XX000} when the server sent none. */
    String sqlState() {
        return fields.getOrDefault('C', "XX000");
    }

    String severity() {
        return fields.getOrDefault('V', fields.getOrDefault('S', "ERROR"));
    }

    /** The primary message, on one line, starting lowercase as Arca's messages do. */
    String message() {
        return oneLine(fields.getOrDefault('M', "unknown error"));
    }

    String detail() {
        String d = fields.get('D');
        return d == null ? null : oneLine(d);
    }

    String hint() {
        String h = fields.get('H');
        return h == null ? null : oneLine(h);
    }

    /** {@code message (sqlstate XXXXX)}. */
    String describe() {
        return message() + " (sqlstate " + sqlState() + ")";
    }

    static String oneLine(String s) {
        String line = s.strip().replaceAll("\\s*\\R\\s*", " ");
        if (line.length() > 1 && Character.isUpperCase(line.charAt(0)) && !Character.isUpperCase(line.charAt(1))) {
            line = line.substring(0, 1).toLowerCase(Locale.ROOT) + line.substring(1);
        }
        return line;
    }
}
