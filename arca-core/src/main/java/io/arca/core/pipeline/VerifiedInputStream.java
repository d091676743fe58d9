package io.arca.core.pipeline;

import io.arca.core.BulkInputStream;
import io.arca.core.error.ArcaException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * A whole artifact's plain bytes; at the end, checks stored size and SHA-256 and plain size and
 * SHA-256 against the manifest. A reader that stops early gets no check.
 */
final class VerifiedInputStream extends BulkInputStream {
    private final String key;
    private final DecodingInputStream plain;
    private final InputStream encoded;
    private final StoredInput stored;
    private final MessageDigest storedSha256;
    private final ArtifactDigest expected;
    /** Null when the manifest records no plain SHA-256 (see ArtifactOutput#withoutPlainDigest). */
    private final MessageDigest plainSha256;
    private long plainSize;
    private boolean verified;
    private ArcaException failure;

    VerifiedInputStream(String key, DecodingInputStream plain, InputStream encoded, StoredInput stored,
            MessageDigest storedSha256, ArtifactDigest expected) {
        this.key = key;
        this.plain = plain;
        this.encoded = encoded;
        this.stored = stored;
        this.storedSha256 = storedSha256;
        this.expected = expected;
        this.plainSha256 = expected.sha256() == null ? null : Sha256.newDigest();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (verified) {
            return -1;
        }
        int n;
        try {
            n = plain.read(b, off, len);
        } catch (ArcaException e) {
            failure = e;
            throw e;
        }
        if (n > 0) {
            if (plainSha256 != null) {
                plainSha256.update(b, off, n);
            }
            plainSize += n;
        } else if (n < 0) {
            verify();
        }
        return n;
    }

    private void verify() throws IOException {
        if (encoded != stored) {
            // the rest of the OpenPGP message: reaching its end checks the MDC
            try {
                encoded.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (ArcaException e) {
                failure = e;
                throw e;
            }
        }
        stored.drain();
        String problem = null;
        if (stored.size() != expected.storedSize()) {
            problem = "stored size is " + stored.size() + " bytes, the manifest says " + expected.storedSize();
        } else if (!Sha256.hex(storedSha256).equals(expected.storedSha256().toLowerCase(Locale.ROOT))) {
            problem = "stored sha-256 does not match the manifest";
        } else if (plainSize != expected.size()) {
            problem = "plain size is " + plainSize + " bytes, the manifest says " + expected.size();
        } else if (plainSha256 != null && !Sha256.hex(plainSha256).equals(expected.sha256().toLowerCase(Locale.ROOT))) {
            problem = "plain sha-256 does not match the manifest";
        }
        if (problem != null) {
            failure = DecodingInputStream.corrupt(key, problem, null);
            throw failure;
        }
        verified = true;
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }
}
