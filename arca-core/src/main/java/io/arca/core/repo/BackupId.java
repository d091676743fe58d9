package io.arca.core.repo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * A backup's id: its UTC start time to the second, then a random suffix, so that ids sort by time
 * and two backups started in the same second still differ: {@code 20260221T020000Z-3f9a1c2e}.
 */
public record BackupId(String value) implements Comparable<BackupId> {
    private static final Pattern FORMAT = Pattern.compile("\\d{8}T\\d{6}Z-[0-9a-f]{8}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public BackupId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid backup id '" + value + "'");
        }
    }

    /** A new id for a backup starting at {@code start}. */
    public static BackupId generate(Instant start, Random random) {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return new BackupId(STAMP.format(start) + "-" + HexFormat.of().formatHex(suffix));
    }

    /** True when {@code text} has the form of a backup id. */
    public static boolean isValid(String text) {
        return text != null && FORMAT.matcher(text).matches();
    }

    /** The start time encoded in the id (second precision). */
    public Instant startTime() {
        try {
            return Instant.from(STAMP.parse(value.substring(0, 16)));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid backup id '" + value + "'", e);
        }
    }

    /** The backup's folder: {@code backups/YYYY/MM/DD/<id>}. */
    public String directory() {
        return "backups/" + value.substring(0, 4) + "/" + value.substring(4, 6) + "/" + value.substring(6, 8) + "/" + value;
    }

    @Override
    public int compareTo(BackupId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
