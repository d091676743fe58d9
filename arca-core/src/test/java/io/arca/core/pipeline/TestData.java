package io.arca.core.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Seeded inputs and independent digests for the pipeline tests. */
final class TestData {
    static final int MIB = 1 << 20;

    private TestData() {
    }

    /**
     * A seed from {@code -Darca.test.seed} or the clock, logged so that a failure can be replayed.
     */
    static long seed(String test) {
        long seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.err.println(test + ": seed " + seed + " (replay with -Darca.test.seed=" + seed + ")");
        return seed;
    }

    /** Alternating 64 KiB runs of random bytes and of table rows: both codec paths get exercised. */
    static byte[] mixed(long seed, int size) {
        Random random = new Random(seed);
        RowGenerator rows = new RowGenerator(seed);
        byte[] data = new byte[size];
        for (int off = 0, run = 0; off < size; off += 1 << 16, run++) {
            int n = Math.min(1 << 16, size - off);
            if (run % 2 == 0) {
                byte[] noise = new byte[n];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, data, off, n);
            } else {
                rows.fill(data, off, n);
            }
        }
        return data;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
