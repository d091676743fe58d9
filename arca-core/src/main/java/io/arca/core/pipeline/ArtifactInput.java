package io.arca.core.pipeline;

import io.arca.core.crypto.DecryptingInputStream;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.Storage;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/** Reads artifacts back: stored bytes from storage, through the codec, to plain bytes. */
public final class ArtifactInput {
    private ArtifactInput() {
    }

    /**
     * Opens the whole artifact for reading as plain bytes. The stream checks, when it reaches the
     * end, the stored size and SHA-256 and the plain size and SHA-256 against {@code expected}, and
     * throws {@code ArcaException(VERIFICATION_FAILED)} naming {@code key} on any mismatch or on a
     * codec error (corrupt frame). Errors surface as {@link java.io.IOException} wrapping nothing:
     * the stream throws the {@code ArcaException} itself (unchecked). A failed read from storage
     * stays an {@link java.io.IOException} (or the store's unchecked exception): it says nothing
     * about the artifact. A reader that closes the stream before the end gets no check.
     */
    public static InputStream open(Storage storage, String key, Codec codec, ArtifactDigest expected) {
        return open(storage, key, codec, expected, null);
    }

    /**
     * As {@link #open(Storage, String, Codec, ArtifactDigest)} for an artifact encrypted as
     * {@code decryption} says (null: not encrypted). The OpenPGP integrity check (MDC) is verified
     * at the end too; key problems throw {@code ArcaException(KEY)} on the first read.
     */
    public static InputStream open(Storage storage, String key, Codec codec, ArtifactDigest expected,
            Decryption decryption) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(expected, "expected");
        MessageDigest storedSha256 = Sha256.newDigest();
        StoredInput stored = new StoredInput(storage.openRead(key), storedSha256);
        InputStream encoded = decryption == null ? stored
                : new DecryptingInputStream(stored, decryption.keys(), key, decryption.expected());
        return new VerifiedInputStream(key, new DecodingInputStream(key, codec, encoded), encoded, stored,
                storedSha256, expected);
    }

    /**
     * Opens a whole object's plain bytes with no digests to check them against: for objects that
     * carry their check elsewhere (WAL files name their SHA-256). The codec's checksums apply, and
     * with {@code decryption} the OpenPGP integrity check at the end.
     */
    public static InputStream openUnchecked(Storage storage, String key, Codec codec, Decryption decryption) {
        StoredInput stored = new StoredInput(storage.openRead(key), null);
        InputStream encoded = decryption == null ? stored
                : new DecryptingInputStream(stored, decryption.keys(), key, decryption.expected());
        return new DecodingInputStream(key, codec, encoded);
    }

    /**
     * Opens part of an artifact: decoding starts at {@code from.encodedOffset()} (a frame boundary)
     * and the stream yields exactly {@code plainLength} plain bytes (or to the end of the artifact
     * when {@code plainLength} is {@link ReadRange#TO_END}). No whole-artifact digest check; the
     * codec's own checksums still apply, and an artifact that ends before {@code plainLength} bytes
     * raises {@code ArcaException(VERIFICATION_FAILED)}.
     */
    public static InputStream openAt(Storage storage, String key, Codec codec, SeekPoint from, long plainLength) {
        return openAt(storage, key, codec, from, plainLength, null);
    }

    /**
     * As {@link #openAt(Storage, String, Codec, SeekPoint, long)} for an encrypted artifact. Reads
     * from the start need only the keys; reads from a later seek point need the message layout
     * ({@link Decryption#message()}), and start decrypting right there.
     */
    public static InputStream openAt(Storage storage, String key, Codec codec, SeekPoint from, long plainLength,
            Decryption decryption) {
        Objects.requireNonNull(codec, "codec");
        if (plainLength < 0 && plainLength != ReadRange.TO_END) {
            throw new IllegalArgumentException("invalid plain length " + plainLength);
        }
        if (plainLength == 0) {
            return InputStream.nullInputStream();
        }
        InputStream encoded;
        if (decryption == null) {
            encoded = new StoredInput(storage.openRead(key, ReadRange.from(from.encodedOffset())), null);
        } else if (from.encodedOffset() == 0) {
            encoded = new DecryptingInputStream(new StoredInput(storage.openRead(key), null), decryption.keys(), key,
                    decryption.expected());
        } else if (decryption.message() != null) {
            try {
                encoded = decryption.message().openAt(from.encodedOffset(),
                        position -> new StoredInput(storage.openRead(key, ReadRange.from(position)), null));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            throw new IllegalArgumentException("artifact '" + key + "' cannot be decrypted from offset "
                    + from.encodedOffset() + " without its message layout");
        }
        DecodingInputStream plain = new DecodingInputStream(key, codec, encoded);
        return plainLength == ReadRange.TO_END ? plain : new SegmentInputStream(key, from, plainLength, plain);
    }
}
