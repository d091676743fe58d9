package io.arca.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobDownloadResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import io.arca.core.BulkInputStream;
import io.arca.core.storage.StorageTransientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a byte range of a blob as a sequence of ranged GETs of at most one chunk each, holding
 * one chunk in memory. Every request after the first is conditional on the first one's ETag, so
 * a blob replaced during the read fails the read instead of mixing two versions.
 */
final class AzureBlobInputStream extends BulkInputStream {

    /** The SDK would resume a broken body itself; Arca's retry wrapper decides instead. */
    private static final DownloadRetryOptions NO_RETRY = new DownloadRetryOptions().setMaxRetryRequests(0);

    private static final byte[] EMPTY = new byte[0];

    private final AzureErrors errors;
    private final BlobClient blob;
    private final String key;
    private final int chunkSize;
    private final Chunk chunk = new Chunk();
    private String etag;
    /** Offset of the next byte to fetch from the service. */
    private long next;
    /** Offset after the last byte of the range. */
    private long end;
    private int chunkPosition;
    private boolean closed;

    private AzureBlobInputStream(AzureErrors errors, BlobClient blob, String key, int chunkSize) {
        this.errors = errors;
        this.blob = blob;
        this.key = key;
        this.chunkSize = chunkSize;
    }

    /**
     * Fetches the first chunk of {@code length} bytes (or to the end, for a negative length) from
     * {@code offset}, so that a missing or archived blob fails here rather than on the first read.
     */
    static InputStream open(AzureErrors errors, BlobClient blob, String key, long offset, long length, int chunkSize) {
        AzureBlobInputStream in = new AzureBlobInputStream(errors, blob, key, chunkSize);
        in.next = offset;
        in.end = length < 0 || length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length;
        if (!in.fetchFirst()) {
            return InputStream.nullInputStream();
        }
        return in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream of '" + key + "' is closed");
        }
        if (len == 0) {
            return 0;
        }
        if (chunkPosition == chunk.count) {
            if (next >= end) {
                return -1;
            }
            try {
                fetch(new BlobRequestConditions().setIfMatch(etag));
            } catch (RuntimeException e) {
                if (e instanceof BlobStorageException bse
                        && (bse.getStatusCode() == 412 || BlobErrorCode.CONDITION_NOT_MET.equals(bse.getErrorCode()))) {
                    throw new StorageTransientException("object '" + key + "' was replaced while it was read",
                            "read it again", e);
                }
                throw errors.map(e, "read", key);
            }
            if (chunk.count == 0) {
                return -1;
            }
        }
        int n = Math.min(len, chunk.count - chunkPosition);
        System.arraycopy(chunk.buffer, chunkPosition, b, off, n);
        chunkPosition += n;
        return n;
    }

    @Override
    public int available() {
        return closed ? 0 : chunk.count - chunkPosition;
    }

    @Override
    public void close() {
        closed = true;
        chunk.buffer = EMPTY;
        chunk.count = 0;
        chunkPosition = 0;
    }

    /** The first request, which learns the blob's size and version; false when the range is empty. */
    private boolean fetchFirst() {
        try {
            BlobDownloadResponse response = fetch(null);
            etag = response.getDeserializedHeaders().getETag();
            long total = totalSize(response);
            end = Math.min(end, total);
            return chunk.count > 0;
        } catch (RuntimeException e) {
            if (e instanceof BlobStorageException bse && bse.getStatusCode() == 416) {
                // the range starts at or past the end (every range of an empty blob does): nothing to read
                return false;
            }
            throw errors.map(e, "read", key);
        }
    }

    /** Fetches the next chunk; failures are the SDK's, for the caller to map. */
    private BlobDownloadResponse fetch(BlobRequestConditions conditions) {
        long count = Math.min(chunkSize, end - next);
        chunk.count = 0;
        chunkPosition = 0;
        BlobDownloadResponse response = blob.downloadStreamWithResponse(chunk, new BlobRange(next, count), NO_RETRY,
                conditions, false, null, Context.NONE);
        next += chunk.count;
        return response;
    }

    /** The blob's size from {@code Content-Range: bytes a-b/size}, or the body's when the whole blob came. */
    private long totalSize(BlobDownloadResponse response) {
        String range = response.getDeserializedHeaders().getContentRange();
        int slash = range == null ? -1 : range.lastIndexOf('/');
        if (slash >= 0 && !range.endsWith("*")) {
            return Long.parseLong(range.substring(slash + 1).trim());
        }
        return next;
    }

    /** A reusable chunk buffer the SDK writes a response body into. */
    private final class Chunk extends OutputStream {

        byte[] buffer = EMPTY;
        int count;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buffer.length) {
                // grows by doubling up to one chunk, so small objects take small buffers
                int doubled = Math.min(chunkSize, Math.max(64 * 1024, buffer.length * 2));
                buffer = Arrays.copyOf(buffer, Math.max(count + len, doubled));
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }
    }
}
