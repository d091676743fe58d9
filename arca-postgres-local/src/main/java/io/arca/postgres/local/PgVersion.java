package io.arca.postgres.local;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL release as {@code major.minor} (15.18). Since PostgreSQL 10 the major version is
 * one number; for older releases ({@code 9.6.24}) {@code major} is the first number and {@code
 * minor} the second, the patch level is dropped (Arca supports none of them, but can name them).
 * Development, beta and release-candidate builds ({@code 17devel}, {@code 16beta2}) have minor 0.
 */
public record PgVersion(int major, int minor) implements Comparable<PgVersion> {

    // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "psql (PostgreSQL) 17devel"
    private static final Pattern VERSION_OUTPUT =
            Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    public PgVersion {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("invalid PostgreSQL version " + major + "." + minor);
        }
    }

    /**
     * Parses the output of a PostgreSQL program's {@code --version}.
     *
     * @throws ArcaException {@link ErrorCode#TOOL_NOT_FOUND} when the text is not such output
     */
    public static PgVersion parseVersionOutput(String output) {
        Matcher m = VERSION_OUTPUT.matcher(output == null ? "" : output);
        if (!m.find()) {
            throw new ArcaException(ErrorCode.TOOL_NOT_FOUND,
                    "not a PostgreSQL version: '" + firstLine(output) + "'",
                    "point --pg-bin at a directory holding PostgreSQL programs");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        return new PgVersion(major, minor);
    }

    /** From the server setting {@code server_version_num}: 150018 is 15.18, 90624 is 9.6. */
    public static PgVersion fromServerVersionNum(int versionNum) {
        if (versionNum >= 100000) {
            return new PgVersion(versionNum / 10000, versionNum % 10000);
        }
        if (versionNum >= 10000) {
            return new PgVersion(versionNum / 10000, versionNum / 100 % 100);
        }
        throw new IllegalArgumentException("invalid server_version_num " + versionNum);
    }

    /** As {@link #fromServerVersionNum(int)}, from the text the server reports. */
    public static PgVersion fromServerVersionNum(String versionNum) {
        try {
            return fromServerVersionNum(Integer.parseInt(versionNum.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid server_version_num '" + versionNum + "'", e);
        }
    }

    @Override
    public int compareTo(PgVersion other) {
        int c = Integer.compare(major, other.major);
        return c != 0 ? c : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 100 ? line.substring(0, 100) + "..." : line;
    }
}
