package io.arca.core.pipeline;

import com.github.luben.zstd.ZstdException;
import io.arca.core.BulkInputStream;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import net.jpountz.lz4.LZ4Exception;

/**
 * Plain bytes decoded from a stored artifact. A codec error becomes
 * {@code ArcaException(VERIFICATION_FAILED)} naming the key; a failed read from storage stays the
 * {@link IOException} it was.
 */
final class DecodingInputStream extends BulkInputStream {
    private static final String CORRUPT_HINT =
            "the backup cannot be trusted; restore an older backup with 'arca restore <id>'";

    private final String key;
    private final Codec codec;
    private final InputStream stored;
    private InputStream decoder;

    /** @param stored the codec's output: the stored bytes, or what decryption makes of them */
    DecodingInputStream(String key, Codec codec, InputStream stored) {
        this.key = key;
        this.codec = codec;
        this.stored = stored;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        try {
            // opened on first read: zstd and lz4 decoders read or allocate when they are created
            if (decoder == null) {
                decoder = Decoders.open(codec, stored);
            }
            return decoder.read(b, off, len);
        } catch (IOException e) {
            IOException storageFailure = StoredInput.StorageReadException.findIn(e);
            if (storageFailure != null) {
                throw storageFailure;
            }
            throw corrupt(e);
        } catch (ZstdException | LZ4Exception e) {
            throw corrupt(e);
        }
    }

    private ArcaException corrupt(Exception e) {
        return corrupt(key, "the " + codec.id() + " data does not decode (" + e.getMessage() + ")", e);
    }

    static ArcaException corrupt(String key, String what, Throwable cause) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + key + "' is corrupt: " + what,
                CORRUPT_HINT, cause);
    }

    @Override
    public void close() throws IOException {
        if (decoder != null) {
            decoder.close();
        } else {
            stored.close();
        }
    }
}
