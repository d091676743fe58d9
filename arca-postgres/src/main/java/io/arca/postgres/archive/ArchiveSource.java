package io.arca.postgres.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where the bytes of a custom-format archive come from during a restore: its header and table
 * of contents, and each data block on its own, so several {@code pg_restore} processes can be
 * fed at once without a copy of the whole archive.
 *
 * <p>Contract: {@link #openToc()} yields exactly the first {@code toc().length()} bytes of the
 * archive; {@link #blocks()} lists every data block in archive order; {@link #openBlock} yields
 * exactly {@code block.length()} bytes starting at {@code block.offset()}. The open methods may
 * be called from several threads at once and more than once for the same part; each returned
 * stream is used by one thread and closed by the caller.
 */
public interface ArchiveSource {

    /** The parsed header and TOC. */
    ArchiveToc toc();

    /** A new stream of the archive's header and TOC bytes. */
    InputStream openToc() throws IOException;

    /** The data blocks, in archive order. */
    List<BlockRef> blocks();

    /** A new stream of one data block's bytes. */
    InputStream openBlock(BlockRef block) throws IOException;
}
