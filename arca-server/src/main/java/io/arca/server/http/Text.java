package io.arca.server.http;

/** Small text helpers for messages that quote what a client sent. */
final class Text {
    private Text() {
    }

    /** {@code s} cut to 100 characters, control characters replaced: safe to put in a message. */
    static String clip(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 100 ? b + "..." : b.toString();
    }
}
