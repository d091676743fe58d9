package io.arca.postgres.archive;

import io.arca.core.error.ArcaException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Passes a custom-format pg_dump archive through to another stream while finding its structure:
 * the header and table of contents, then where each data block starts and ends. Bytes may
 * arrive in writes of any size; every byte is forwarded unchanged and in order.
 *
 * <p>The {@link Listener} hears {@link Listener#tocComplete} once the TOC is parsed (after its
 * last byte was forwarded, before any later byte), and {@link Listener#blockStarting} before
 * the first byte of each data block is forwarded, so a compressor downstream can end a frame
 * exactly at the block's start. To know the block's dump id, the few header bytes of a block
 * that straddles two writes are held back until the rest arrives.
 *
 * <p>Chunk bodies are skipped by arithmetic; only the 5-byte chunk headers are read. {@link
 * #finish()} (and {@link #close()}) check that the archive ended at a block boundary and that
 * every TOC entry with data had its block; a stream that is not a custom-format archive (a
 * plain SQL script, say) fails on its first bytes. These failures are {@link ArcaException}s
 * with {@link io.arca.core.error.ErrorCode#VERIFICATION_FAILED}; after any failure the scanner
 * refuses further use. Not thread-safe.
 */
public final class CustomArchiveScanner extends OutputStream {

    /** Block type of table data ({@code BLK_DATA}). */
    public static final int BLK_DATA = 1;
    /** Block type of large objects ({@code BLK_BLOBS}). */
    public static final int BLK_BLOBS = 3;

    /** Hears about the archive's structure as it passes. Calls come on the writing thread. */
    public interface Listener {
        /** Hears nothing: for a scan that only verifies. */
        Listener NONE = new Listener() {
        };

        /**
         * The TOC is parsed.
         *
         * @param tocLength bytes of header and TOC: the offset where the data starts
         */
        default void tocComplete(ArchiveToc toc, long tocLength) throws IOException {
        }

        /**
         * A data block starts at {@code offset}; none of its bytes has been forwarded yet.
         *
         * @param blockType {@link #BLK_DATA} or {@link #BLK_BLOBS}
         */
        default void blockStarting(int dumpId, int blockType, long offset) throws IOException {
        }
    }

    /**
     * A complete data block.
     *
     * @param type {@link #BLK_DATA} or {@link #BLK_BLOBS}
     * @param chunks data chunks in the block. In an uncompressed archive {@code pg_dump} writes one
     *     chunk per row it receives from {@code COPY}, then the end-of-data marker {@code \.\n\n\n}
     *     as one more chunk
     * @param lastChunkLength the length of the block's last chunk, or 0 when it has none
     */
    public record DataBlock(int dumpId, int type, long offset, long length, long chunks, long lastChunkLength) {
        public BlockRef ref() {
            return new BlockRef(dumpId, offset, length);
        }
    }

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int S_TOC = 0;
    private static final int S_BLOCK = 1;
    private static final int S_HEADER_PARTIAL = 2;
    private static final int S_CHUNK_LEN = 3;
    private static final int S_CHUNK_BODY = 4;
    private static final int S_BLOB_OID = 5;

    private final OutputStream out;
    private final Listener listener;
    private final TocParser tocParser = new TocParser(ArchiveFormat.CUSTOM);
    private final byte[] single = new byte[1];
    private final byte[] scratch = new byte[16];
    private final byte[] hold = new byte[16];
    private final List<DataBlock> blocks = new ArrayList<>();
    private Map<Integer, TocEntry> awaitingData;
    private ArchiveToc toc;
    private int intSize;
    private int intLen;
    private int headerLen;

    private int state = S_TOC;
    /** Bytes forwarded so far: the archive offset of the next byte to forward. */
    private long position;
    /** In the current write: the next byte to examine and the first byte not yet forwarded. */
    private int cur;
    private int fwd;
    private long remaining;
    private boolean inBlobs;
    private int scratchCount;
    private int holdCount;
    private long intValue;
    private int blockId;
    private int blockType;
    private long blockStart;
    private long blockChunks;
    private long blockLastChunk;
    private Throwable failure;
    private boolean finished;

    public CustomArchiveScanner(OutputStream downstream, Listener listener) {
        this.out = Objects.requireNonNull(downstream, "downstream");
        this.listener = listener == null ? Listener.NONE : listener;
    }

    @Override
    public void write(int b) throws IOException {
        single[0] = (byte) b;
        write(single, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkUsable();
        if (len == 0) {
            return;
        }
        try {
            scan(b, off, off + len);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public void flush() throws IOException {
        checkUsable();
        out.flush();
    }

    /**
     * Checks that the archive is complete and flushes the downstream stream, without closing it.
     * Idempotent once it succeeded.
     *
     * @throws ArcaException {@link io.arca.core.error.ErrorCode#VERIFICATION_FAILED} when the
     *     archive ended inside its TOC or inside a data block, or before the data of every TOC
     *     entry with data
     */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        checkUsable();
        try {
            verifyEnd();
            out.flush();
            finished = true;
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    /** {@link #finish()}, then closes the downstream stream even when the check fails. */
    @Override
    public void close() throws IOException {
        if (finished || failure != null) {
            out.close();
            return;
        }
        try {
            finish();
        } finally {
            out.close();
        }
    }

    /** The TOC, once parsed. */
    public Optional<ArchiveToc> toc() {
        return Optional.ofNullable(toc);
    }

    /** The data blocks completed so far, in archive order; they tile the data area without gaps. */
    public List<DataBlock> blocks() {
        return Collections.unmodifiableList(new ArrayList<>(blocks));
    }

    /** Bytes forwarded so far. */
    public long position() {
        return position;
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException("archive scanner failed earlier: " + failure.getMessage(), failure);
        }
        if (finished) {
            throw new IOException("archive scanner already finished");
        }
    }

    private void scan(byte[] b, int off, int end) throws IOException {
        cur = off;
        fwd = off;
        if (state == S_TOC) {
            cur += tocParser.feed(b, off, end - off);
            if (!tocParser.complete()) {
                forwardTo(b, end);
                return;
            }
            forwardTo(b, cur);
            tocReady();
        }
        while (cur < end) {
            switch (state) {
                case S_CHUNK_BODY -> {
                    long avail = end - cur;
                    if (remaining > avail) {
                        remaining -= avail;
                        cur = end;
                    } else {
                        cur += (int) remaining;
                        remaining = 0;
                        state = S_CHUNK_LEN;
                    }
                }
                case S_CHUNK_LEN -> scanChunks(b, end);
                case S_BLOB_OID -> {
                    if (takeInt(b, end)) {
                        if (intValue == 0) {
                            blockEnded();
                        } else {
                            state = S_CHUNK_LEN;
                        }
                    }
                }
                case S_BLOCK -> {
                    if (end - cur >= headerLen) {
                        int type = b[cur] & 0xff;
                        long id = decodeInt(b, cur + 1);
                        forwardTo(b, cur);
                        startBlock(type, id);
                        cur += headerLen;
                    } else {
                        forwardTo(b, cur);
                        holdCount = end - cur;
                        System.arraycopy(b, cur, hold, 0, holdCount);
                        cur = end;
                        fwd = end;
                        state = S_HEADER_PARTIAL;
                    }
                }
                case S_HEADER_PARTIAL -> {
                    int n = Math.min(headerLen - holdCount, end - cur);
                    System.arraycopy(b, cur, hold, holdCount, n);
                    holdCount += n;
                    cur += n;
                    fwd = cur;
                    if (holdCount == headerLen) {
                        startBlock(hold[0] & 0xff, decodeInt(hold, 1));
                        out.write(hold, 0, headerLen);
                        position += headerLen;
                        holdCount = 0;
                    }
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        forwardTo(b, end);
    }

    /** Chunk headers and bodies of a data block or a large object, until the array or the chunks end. */
    private void scanChunks(byte[] b, int end) {
        if (scratchCount == 0 && intSize == 4) {
            int p = cur;
            while (end - p >= 5) {
                long n = (int) INT_LE.get(b, p + 1) & 0xffffffffL;
                if (b[p] != 0 && n != 0) {
                    cur = p;
                    throw badChunkLength(-n);
                }
                p += 5;
                if (n == 0) {
                    cur = p;
                    chunksEnded();
                    return;
                }
                if (n > Integer.MAX_VALUE) {
                    cur = p;
                    throw badChunkLength(n);
                }
                blockChunks++;
                blockLastChunk = n;
                long after = p + n;
                if (after > end) {
                    remaining = after - end;
                    cur = end;
                    state = S_CHUNK_BODY;
                    return;
                }
                p = (int) after;
            }
            cur = p;
            if (p == end) {
                return;
            }
        }
        if (!takeInt(b, end)) {
            return;
        }
        long n = intValue;
        if (n == 0) {
            chunksEnded();
        } else if (n < 0 || n > Integer.MAX_VALUE) {
            throw badChunkLength(n);
        } else {
            blockChunks++;
            blockLastChunk = n;
            remaining = n;
            state = S_CHUNK_BODY;
        }
    }

    private void chunksEnded() {
        if (inBlobs) {
            state = S_BLOB_OID;
        } else {
            blockEnded();
        }
    }

    /** Takes an integer at {@code cur}; false when the array ends first (the part seen is kept). */
    private boolean takeInt(byte[] b, int end) {
        if (scratchCount == 0 && end - cur >= intLen) {
            intValue = decodeInt(b, cur);
            cur += intLen;
            return true;
        }
        int n = Math.min(intLen - scratchCount, end - cur);
        System.arraycopy(b, cur, scratch, scratchCount, n);
        scratchCount += n;
        cur += n;
        if (scratchCount < intLen) {
            return false;
        }
        scratchCount = 0;
        intValue = decodeInt(scratch, 0);
        return true;
    }

    private long decodeInt(byte[] a, int at) {
        if (intSize == 4) {
            long magnitude = (int) INT_LE.get(a, at + 1) & 0xffffffffL;
            return a[at] != 0 ? -magnitude : magnitude;
        }
        return ArchiveInts.decode(a, at, intSize);
    }

    private void forwardTo(byte[] b, int upTo) throws IOException {
        if (upTo > fwd) {
            out.write(b, fwd, upTo - fwd);
            position += upTo - fwd;
            fwd = upTo;
        }
    }

    /** The archive offset of index {@code p} of the current write. */
    private long offsetOf(int p) {
        return position + (p - fwd);
    }

    private void tocReady() throws IOException {
        toc = tocParser.toc();
        intSize = toc.header().intSize();
        intLen = 1 + intSize;
        headerLen = 1 + intLen;
        awaitingData = new HashMap<>();
        for (TocEntry e : toc.entries()) {
            if (e.hadDumper()) {
                awaitingData.put(e.dumpId(), e);
            }
        }
        state = S_BLOCK;
        listener.tocComplete(toc, position);
    }

    private void startBlock(int type, long id) throws IOException {
        if (type != BLK_DATA && type != BLK_BLOBS) {
            throw ArchiveErrors.malformed("archive has a data block of unknown type " + type + " at offset " + position);
        }
        TocEntry entry = id > 0 && id <= Integer.MAX_VALUE ? awaitingData.remove((int) id) : null;
        if (entry == null) {
            boolean seen = blocks.stream().anyMatch(bl -> bl.dumpId() == id);
            throw ArchiveErrors.malformed("archive has " + (seen ? "a second" : "a") + " data block for entry " + id
                    + (seen ? "" : ", which has no data in the table of contents") + ", at offset " + position);
        }
        if ((type == BLK_BLOBS) != entry.is("BLOBS")) {
            throw ArchiveErrors.malformed("archive has a data block of type " + type + " for entry " + entry.describe()
                    + " at offset " + position);
        }
        blockId = (int) id;
        blockType = type;
        blockStart = position;
        blockChunks = 0;
        blockLastChunk = 0;
        inBlobs = type == BLK_BLOBS;
        state = inBlobs ? S_BLOB_OID : S_CHUNK_LEN;
        listener.blockStarting(blockId, type, blockStart);
    }

    private void blockEnded() {
        long endOffset = offsetOf(cur);
        blocks.add(new DataBlock(blockId, blockType, blockStart, endOffset - blockStart, blockChunks,
                blockLastChunk));
        state = S_BLOCK;
    }

    private ArcaException badChunkLength(long n) {
        return ArchiveErrors.malformed("archive has a data chunk of invalid length " + n + " in the block of entry "
                + blockId + " at offset " + offsetOf(cur));
    }

    private void verifyEnd() {
        if (state == S_TOC) {
            throw tocParser.truncated("archive");
        }
        if (state != S_BLOCK) {
            String entry = toc.entry(blockId).map(TocEntry::describe).orElse(Integer.toString(blockId));
            throw ArchiveErrors.malformed("archive ends inside the data of entry " + entry + " after " + position + " bytes");
        }
        if (!awaitingData.isEmpty()) {
            TocEntry first = toc.entries().stream().filter(e -> awaitingData.containsKey(e.dumpId())).findFirst().orElseThrow();
            throw ArchiveErrors.malformed("archive ends after " + position + " bytes, before the data of "
                    + awaitingData.size() + (awaitingData.size() == 1 ? " entry (" : " entries (the first is ")
                    + first.describe() + ")");
        }
    }
}
