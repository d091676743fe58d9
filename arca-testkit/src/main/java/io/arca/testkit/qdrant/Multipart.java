package io.arca.testkit.qdrant;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code multipart/form-data} body as it arrives, handing each part's bytes to an output
 * stream (the stand-in spools an uploaded snapshot to a file, as Qdrant's {@code TempFile} does).
 * A body that ends before its closing delimiter is an error: an upload cut short never counts.
 */
final class Multipart {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=(?:\"([^\"]+)\"|([^;\\s]+))",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[;\\s]name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;

    private Multipart(InputStream in) {
        this.in = in;
    }

    /** The boundary of a {@code Content-Type} header, or null when it is not multipart/form-data with one. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        Matcher m = BOUNDARY.matcher(contentType);
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }

    /**
     * Reads the whole body; {@code sink} gives the stream for each part by its field name (null
     * discards the part).
     *
     * @throws IOException when the body is not well-formed or ends early
     */
    static void read(InputStream in, String boundary, Function<String, OutputStream> sink) throws IOException {
        new Multipart(in).readParts(boundary, sink);
    }

    private void readParts(String boundary, Function<String, OutputStream> sink) throws IOException {
        byte[] first = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        if (!copyUntil(first, null)) {
            throw new EOFException("multipart body holds no boundary");
        }
        while (true) {
            require(2);
            if (buffer[pos] == '-' && buffer[pos + 1] == '-') {
                return;
            }
            if (buffer[pos] != '\r' || buffer[pos + 1] != '\n') {
                throw new IOException("malformed multipart boundary line");
            }
            pos += 2;
            ByteArrayOutputStream headers = new ByteArrayOutputStream();
            if (!copyUntil("\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headers)) {
                throw new EOFException("multipart part headers end early");
            }
            String name = null;
            for (String line : headers.toString(StandardCharsets.UTF_8).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                    Matcher m = NAME.matcher(line);
                    if (m.find()) {
                        name = m.group(1);
                    }
                }
            }
            OutputStream out = name == null ? null : sink.apply(name);
            if (!copyUntil(delimiter, out)) {
                throw new EOFException("multipart body ends before its closing boundary");
            }
        }
    }

    private void require(int n) throws IOException {
        while (limit - pos < n) {
            if (!fill()) {
                throw new EOFException("multipart body ends early");
            }
        }
    }

    /** Copies up to {@code delimiter} (consumed, not copied); false at the end of input without it. */
    private boolean copyUntil(byte[] delimiter, OutputStream out) throws IOException {
        while (true) {
            int at = indexOf(delimiter);
            if (at >= 0) {
                if (out != null) {
                    out.write(buffer, pos, at - pos);
                }
                pos = at + delimiter.length;
                return true;
            }
            int safe = Math.max(pos, limit - (delimiter.length - 1));
            if (out != null) {
                out.write(buffer, pos, safe - pos);
            }
            pos = safe;
            if (!fill()) {
                return false;
            }
        }
    }

    private int indexOf(byte[] d) {
        outer:
        for (int i = pos; i <= limit - d.length; i++) {
            for (int j = 0; j < d.length; j++) {
                if (buffer[i + j] != d[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }
}
