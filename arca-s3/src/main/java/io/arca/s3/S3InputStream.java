package io.arca.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The body of a GetObject. Closing it before the end aborts the connection instead of draining
 * it: a reader that stops early (a header check, a failed restore) must not download the rest.
 */
final class S3InputStream extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> body;
    private long remaining;
    private boolean closed;

    S3InputStream(ResponseInputStream<GetObjectResponse> body) {
        super(body);
        this.body = body;
        Long length = body.response().contentLength();
        this.remaining = length == null ? -1 : length;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            remaining = 0;
        } else if (remaining > 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            remaining = 0;
        } else if (remaining > 0) {
            remaining -= n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (remaining > 0) {
            remaining -= Math.min(remaining, skipped);
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (remaining != 0) {
            body.abort();
        }
        body.close();
    }
}
