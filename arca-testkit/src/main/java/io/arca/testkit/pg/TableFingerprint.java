package io.arca.testkit.pg;

/**
 * A table's content in short: its row count and the MD5 of its rows' text forms, sorted and
 * joined by newlines (see {@link DatabaseFingerprint}).
 */
public record TableFingerprint(long rows, String hash) {

    @Override
    public String toString() {
        return rows + " rows, md5 " + hash;
    }
}
