package io.arca.core.pipeline;

import io.arca.core.error.UsageException;
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
            throw new UsageException("invalid compression level " + level + " for " + codec.id()
                    + (codec == Codec.NONE ? " (none takes no level)" : " (use " + min + " to " + max + ")"));
        }
        if (workers < 0) {
            throw new UsageException("invalid number of compression workers " + workers);
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
                throw new UsageException("invalid compression level in '" + text + "'");
            }
        }
        return new CodecSpec(codec, level, defaults().workers());
    }

    /**
     * The codec for what Arca streams from the server itself (base backups and WAL) when no
     * {@code --compression} is given: this one, but zstd at level 1 instead of a higher level.
     * Both run against the live server, and a slow {@code archive_command} lets {@code pg_wal}
     * fill up; PostgreSQL's pages and WAL gain little or nothing from higher levels. Measured on
     * the benchmark database (bench/physical.sh): its 2.4 GB base backup tar is 144.7 MB at level
     * 1 in 1.9 s of one core and 146.0 MB at level 3 in 3.4 s; 201 WAL segments of an insert
     * burst are 752 MB at level 1 in 3.9 s and 778 MB at level 3 in 7.7 s.
     */
    public CodecSpec forServerData() {
        return codec == Codec.ZSTD && level > 1 ? new CodecSpec(Codec.ZSTD, 1, workers) : this;
    }

    public CodecSpec withWorkers(int n) {
        return new CodecSpec(codec, level, n);
    }

    @Override
    public String toString() {
        return codec == Codec.NONE ? "none" : codec.id() + ":" + level;
    }
}
