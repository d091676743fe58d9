package io.arca.cli;

import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Repository;
import io.arca.postgres.wal.WalArchive;
import picocli.CommandLine.Option;

/** {@code --compression} of the commands that archive WAL. */
final class WalCompressionOptions {
    @Option(names = "--compression", paramLabel = "CODEC[:LEVEL]",
            description = "zstd, gzip, lz4 or none, with an optional level (default: the repository's codec, but zstd"
                    + " at level 1, which compresses WAL as well as level 3 in half the time).")
    String compression;

    /** The codec for WAL archived into {@code repository}. */
    CodecSpec codec(Repository repository) {
        return compression == null ? WalArchive.defaultCodec(repository.defaultCodec())
                : CodecSpec.parse(compression).withWorkers(1);
    }
}
