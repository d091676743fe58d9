package io.arca.core.pipeline;

import java.util.Objects;

/**
 * A codec with its settings.
 *
 * @param codec the format
 * @param level compression level (zstd 1..22, gzip 1..9, lz4 1..17 where 1 is the fast mode, none 0)
 * @param workers compression threads for codecs that can use several (zstd); 0 or 1 means the
 *     calling thread only
 * @throws IllegalArgumentException for a level outside the codec's range or negative workers
 */
public record CodecSpec(Codec codec, int level, int workers) {

    public CodecSpec {
        Objects.requireNonNull(codec, "codec");
        int max = switch (codec) {
            case ZSTD -> 22;
            case GZIP -> 9;
            case LZ4 -> 17;
            case NONE -> 0;
        };
        int min = codec == Codec.NONE ? 0 : 1;
        if (level < min || level > max) {
            throw new IllegalArgumentException("invalid compression level " + level + " for " + codec.id()
                    + (codec == Codec.NONE ? " (none takes no level)" : " (use " + min + " to " + max + ")"));
        }
        if (workers < 0) {
            throw new IllegalArgumentException("invalid number of compression workers " + workers);
        }
    }

    /**
     * zstd level 3. Compression threads are left for cores beyond two: a backup runs beside
     * {@code pg_dump} and its server backend (or the network stack), and on two busy cores extra
     * zstd workers only add contention (measured: in-thread compression finished a 2 GB dump about
     * 10% sooner than two workers), while level 3 on one thread keeps up with {@code pg_dump}.
     */
    public static CodecSpec defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new CodecSpec(Codec.ZSTD, 3, Math.max(1, Math.min(4, cores - 2)));
    }

    /** Parses {@code zstd}, {@code zstd:9}, {@code gzip:6}, {@code lz4}, {@code none}. */
    public static CodecSpec parse(String text) {
        String[] parts = text.trim().split(":", 2);
        Codec codec = Codec.fromId(parts[0]);
        int level = codec.defaultLevel();
        if (parts.length == 2) {
            try {
                level = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid compression level in '" + text + "'");
            }
        }
        return new CodecSpec(codec, level, defaults().workers());
    }

    public CodecSpec withWorkers(int n) {
        return new CodecSpec(codec, level, n);
    }

    @Override
    public String toString() {
        return codec == Codec.NONE ? "none" : codec.id() + ":" + level;
    }
}
