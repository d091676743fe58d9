package io.arca.app.notify;

import java.util.List;

/** Keeps secrets out of messages: text from libraries (exception messages) can quote what they were given. */
final class Secrets {
    private Secrets() {
    }

    /** {@code text} with every secret of {@code secrets} (at least 4 characters long) replaced by {@code ***}. */
    static String scrub(String text, List<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                out = out.replace(s, "***");
            }
        }
        return out;
    }

    /** The first line of {@code text}, at most {@code max} characters. */
    static String excerpt(String text, int max) {
        if (text == null) {
            return "";
        }
        String line = text.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) {
            line = line.substring(0, nl).strip();
        }
        return line.length() > max ? line.substring(0, max) + "..." : line;
    }
}
