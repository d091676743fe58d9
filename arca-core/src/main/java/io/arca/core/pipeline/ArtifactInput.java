package io.arca.core.pipeline;

import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import java.io.InputStream;

/** Reads artifacts back: stored bytes from storage, through the codec, to plain bytes. */
public final class ArtifactInput {
    private ArtifactInput() {
    }

    /**
     * Opens the whole artifact for reading as plain bytes. The stream checks, when it reaches the
     * end, the stored size and SHA-256 and the plain size and SHA-256 against {@code expected}, and
     * throws {@code ArcaException(VERIFICATION_FAILED)} naming {@code key} on any mismatch or on a
     * codec error (corrupt frame). Errors surface as {@link java.io.IOException} wrapping nothing:
     * the stream throws the {@code ArcaException} itself (unchecked).
     */
    public static InputStream open(Storage storage, String key, Codec codec, ArtifactDigest expected) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Opens part of an artifact: decoding starts at {@code from.storedOffset()} (a frame boundary)
     * and the stream yields exactly {@code plainLength} plain bytes (or to the end of the artifact
     * when {@code plainLength} is {@link ReadRange#TO_END}). No whole-artifact digest check.
     */
    public static InputStream openAt(Storage storage, String key, Codec codec, SeekPoint from, long plainLength) {
        throw new UnsupportedOperationException("TODO");
    }
}
