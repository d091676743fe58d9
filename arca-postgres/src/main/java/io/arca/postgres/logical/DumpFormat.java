package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.util.Locale;

/** The {@code pg_dump} output format of a logical backup. */
public enum DumpFormat {
    /** {@code -Fc}: one archive; selective and parallel restore. The default. */
    CUSTOM("pg_dump-custom", "dump"),
    /** {@code -Fp}: an SQL script, restored with {@code psql}. */
    PLAIN("pg_dump-plain", "sql"),
    /** {@code -Fd}: one file per table, dumped in parallel; each file is its own artifact. */
    DIRECTORY("pg_dump-directory", "dir");

    private final String artifactFormat;
    private final String suffix;

    DumpFormat(String artifactFormat, String suffix) {
        this.artifactFormat = artifactFormat;
        this.suffix = suffix;
    }

    /** The {@code format} recorded for its artifacts in the manifest. */
    public String artifactFormat() {
        return artifactFormat;
    }

    /** The file name suffix of its artifact ({@code app.dump}, {@code app.sql}, {@code app.dir/...}). */
    public String suffix() {
        return suffix;
    }

    public static DumpFormat fromArtifactFormat(String format) {
        for (DumpFormat f : values()) {
            if (f.artifactFormat.equals(format)) {
                return f;
            }
        }
        // the manifest names a format no Arca writes: changed by hand, or written by a newer Arca
        throw new ArcaException(ErrorCode.VERIFICATION_FAILED, "unknown artifact format '" + format
                + "' in the backup's manifest", "check the backup with 'arca verify', or restore it with a newer Arca");
    }

    public static DumpFormat parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "custom", "c" -> CUSTOM;
            case "plain", "p" -> PLAIN;
            case "directory", "d" -> DIRECTORY;
            default -> throw new UsageException("unknown format '" + text + "' (use custom, plain or directory)");
        };
    }
}
