package io.arca.postgres.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;

/** Writes bytes to a stream in pieces of random size, as pipes and buffers deliver them. */
final class ArchiveWrites {

    private ArchiveWrites() {
    }

    /**
     * Writes all of {@code data}; about half the pieces are 1 to 8 bytes (to split headers),
     * the others up to {@code maxPiece}.
     */
    static void inRandomPieces(byte[] data, OutputStream out, Random random, int maxPiece) throws IOException {
        int p = 0;
        while (p < data.length) {
            int n = random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(maxPiece);
            n = Math.min(n, data.length - p);
            if (n == 1 && random.nextInt(4) == 0) {
                out.write(data[p]);
            } else {
                out.write(data, p, n);
            }
            p += n;
        }
    }
}
