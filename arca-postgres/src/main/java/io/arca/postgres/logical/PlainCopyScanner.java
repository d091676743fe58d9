package io.arca.postgres.logical;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Passes a plain-format dump through unchanged and reports each table whose data it contains, by
 * recognising {@code COPY schema.table (...) FROM stdin;} at the start of a line outside COPY data
 * (data ends at a line {@code \.}). Only line starts are buffered, so memory stays small.
 */
final class PlainCopyScanner extends OutputStream {
    private static final byte[] COPY = "COPY ".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 8192;

    private final OutputStream downstream;
    private final Consumer<TableRef> onTable;
    private final byte[] head = new byte[MAX_HEAD];
    private int headLength;
    private boolean inCopyData;

    PlainCopyScanner(OutputStream downstream, Consumer<TableRef> onTable) {
        this.downstream = downstream;
        this.onTable = onTable;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        downstream.write(b, off, len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int nl = indexOf(b, i, end);
            int stop = nl < 0 ? end : nl;
            int want = Math.min(stop - i, MAX_HEAD - headLength);
            if (want > 0) {
                System.arraycopy(b, i, head, headLength, want);
                headLength += want;
            }
            if (nl < 0) {
                return;
            }
            endOfLine();
            i = nl + 1;
        }
    }

    private static int indexOf(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void endOfLine() {
        if (inCopyData) {
            if (headLength == 2 && head[0] == '\\' && head[1] == '.') {
                inCopyData = false;
            }
        } else if (startsWithCopy()) {
            TableRef table = parseCopy(new String(head, 0, headLength, StandardCharsets.UTF_8));
            if (table != null) {
                inCopyData = true;
                onTable.accept(table);
            }
        }
        headLength = 0;
    }

    private boolean startsWithCopy() {
        if (headLength < COPY.length) {
            return false;
        }
        for (int i = 0; i < COPY.length; i++) {
            if (head[i] != COPY[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code COPY schema.table ... FROM stdin;}; null when the line is another COPY form. */
    static TableRef parseCopy(String line) {
        if (!line.endsWith("FROM stdin;")) {
            return null;
        }
        int[] pos = {COPY.length};
        String schema = identifier(line, pos);
        if (schema == null || pos[0] >= line.length() || line.charAt(pos[0]) != '.') {
            return null;
        }
        pos[0]++;
        String name = identifier(line, pos);
        return name == null ? null : new TableRef(schema, name);
    }

    private static String identifier(String s, int[] pos) {
        int i = pos[0];
        if (i >= s.length()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        if (s.charAt(i) == '"') {
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        out.append('"');
                        i += 2;
                        continue;
                    }
                    pos[0] = i + 1;
                    return out.toString();
                }
                out.append(c);
                i++;
            }
            return null;
        }
        while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ') {
            out.append(s.charAt(i++));
        }
        pos[0] = i;
        return out.length() == 0 ? null : out.toString();
    }

    @Override
    public void flush() throws IOException {
        downstream.flush();
    }
}
