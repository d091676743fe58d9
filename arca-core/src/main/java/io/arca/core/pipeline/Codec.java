package io.arca.core.pipeline;

import io.arca.core.error.UsageException;
import java.util.Locale;

/** A compression format. Each writes its standard container, readable by the usual CLI tool. */
public enum Codec {
    /** Zstandard frames; {@code zstd -d}. */
    ZSTD("zstd", ".zst", 3),
    /** gzip members; {@code gzip -d}. */
    GZIP("gzip", ".gz", 6),
    /** LZ4 frame format; {@code lz4 -d}. */
    LZ4("lz4", ".lz4", 1),
    /** Stored as is. */
    NONE("none", "", 0);

    private final String id;
    private final String extension;
    private final int defaultLevel;

    Codec(String id, String extension, int defaultLevel) {
        this.id = id;
        this.extension = extension;
        this.defaultLevel = defaultLevel;
    }

    /** Name used in manifests, flags and configuration. */
    public String id() {
        return id;
    }

    /** File name suffix, with the dot, or empty for {@link #NONE}. */
    public String extension() {
        return extension;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    public static Codec fromId(String id) {
        for (Codec c : values()) {
            if (c.id.equals(id.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new UsageException("unknown codec '" + id + "' (use zstd, gzip, lz4 or none)");
    }
}
