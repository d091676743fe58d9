package io.arca.postgres.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * An {@link ArchiveSource} over a custom-format archive in a local file. {@link #open(Path)}
 * scans the file once to find its TOC and blocks (and fails as {@link CustomArchiveScanner}
 * does on a damaged archive); the file must not change afterwards.
 */
public final class FileArchiveSource implements ArchiveSource {

    private final Path file;
    private final ArchiveToc toc;
    private final List<BlockRef> blocks;

    private FileArchiveSource(Path file, ArchiveToc toc, List<BlockRef> blocks) {
        this.file = file;
        this.toc = toc;
        this.blocks = List.copyOf(blocks);
    }

    /** Scans {@code file} and returns a source over it. */
    public static FileArchiveSource open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file);
                CustomArchiveScanner scanner = new CustomArchiveScanner(OutputStream.nullOutputStream(), null)) {
            in.transferTo(scanner);
            scanner.finish();
            return new FileArchiveSource(file, scanner.toc().orElseThrow(),
                    scanner.blocks().stream().map(CustomArchiveScanner.DataBlock::ref).toList());
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public ArchiveToc toc() {
        return toc;
    }

    @Override
    public InputStream openToc() throws IOException {
        return new RangeStream(file, 0, toc.length());
    }

    @Override
    public List<BlockRef> blocks() {
        return blocks;
    }

    @Override
    public InputStream openBlock(BlockRef block) throws IOException {
        return new RangeStream(file, block.offset(), block.length());
    }

    /** Reads {@code length} bytes of a channel from {@code offset}, with positional reads. */
    private static final class RangeStream extends InputStream {
        private final Path file;
        private final FileChannel channel;
        private long position;
        private long left;

        RangeStream(Path file, long offset, long length) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.position = offset;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), position);
            if (n < 0) {
                throw new IOException("'" + file + "' ends before offset " + (position + left) + "; did it change?");
            }
            position += n;
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
