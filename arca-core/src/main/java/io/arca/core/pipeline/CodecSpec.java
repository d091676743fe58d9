package io.arca.core.pipeline;

/**
 * A codec with its settings.
 *
 * @param codec the format
 * @param level compression level (zstd 1..19, gzip 1..9, lz4 1..17 where 1 is the fast mode)
 * @param workers compression threads for codecs that can use several (zstd); 0 or 1 means the
 *     calling thread only
 */
public record CodecSpec(Codec codec, int level, int workers) {

    /** zstd level 3 with one worker per core, capped at 4. */
    public static CodecSpec defaults() {
        return new CodecSpec(Codec.ZSTD, 3, Math.min(4, Runtime.getRuntime().availableProcessors()));
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
