package io.arca.core.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Text rows like those in a {@code pg_dump} COPY section (id, branch, balance, name, timestamp),
 * generated from a seed. Compresses about as well as real table data.
 */
final class RowGenerator {
    private static final byte[][] WORDS = words("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
            "hotel", "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
            "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu");

    private final SplittableRandom random;
    private final byte[] row = new byte[160];
    private int rowLength;
    private int rowPosition;
    private long id;

    RowGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Fills {@code b[off, off+len)} with the next rows; a row may continue in the next call. */
    void fill(byte[] b, int off, int len) {
        while (len > 0) {
            if (rowPosition == rowLength) {
                nextRow();
            }
            int n = Math.min(len, rowLength - rowPosition);
            System.arraycopy(row, rowPosition, b, off, n);
            rowPosition += n;
            off += n;
            len -= n;
        }
    }

    byte[] next(int size) {
        byte[] b = new byte[size];
        fill(b, 0, size);
        return b;
    }

    private void nextRow() {
        id++;
        int p = 0;
        p = putLong(p, id);
        row[p++] = '\t';
        p = putLong(p, id / 100_000 + 1);
        row[p++] = '\t';
        p = putLong(p, random.nextInt(10) < 7 ? 0 : random.nextInt(-5000, 5001));
        row[p++] = '\t';
        p = putWord(p);
        row[p++] = ' ';
        p = putWord(p);
        row[p++] = '\t';
        p = putBytes(p, "2026-02-");
        p = putTwoDigits(p, 1 + random.nextInt(28));
        row[p++] = ' ';
        p = putTwoDigits(p, random.nextInt(24));
        row[p++] = ':';
        p = putTwoDigits(p, random.nextInt(60));
        row[p++] = ':';
        p = putTwoDigits(p, random.nextInt(60));
        p = putBytes(p, ".");
        p = putLong(p, 100_000 + random.nextInt(900_000));
        p = putBytes(p, "+00\n");
        rowLength = p;
        rowPosition = 0;
    }

    private int putWord(int p) {
        byte[] word = WORDS[random.nextInt(WORDS.length)];
        System.arraycopy(word, 0, row, p, word.length);
        return p + word.length;
    }

    private int putBytes(int p, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            row[p++] = (byte) ascii.charAt(i);
        }
        return p;
    }

    private int putTwoDigits(int p, int v) {
        row[p] = (byte) ('0' + v / 10);
        row[p + 1] = (byte) ('0' + v % 10);
        return p + 2;
    }

    private int putLong(int p, long v) {
        if (v < 0) {
            row[p++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        for (int i = p + digits - 1; i >= p; i--) {
            row[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return p + digits;
    }

    private static byte[][] words(String... words) {
        byte[][] result = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            result[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return result;
    }
}
