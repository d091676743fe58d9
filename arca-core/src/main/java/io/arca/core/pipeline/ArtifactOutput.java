package io.arca.core.pipeline;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.storage.StorageWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Writes one artifact: plain bytes in, through SHA-256, the codec, optionally OpenPGP encryption,
 * and SHA-256 of the stored bytes, into a {@link StorageWriter}. {@link #finish()} ends the codec and commits the object;
 * {@link #close()} without finish aborts and leaves nothing in storage.
 *
 * <p>Everything runs on the caller's thread except zstd compression with more than one worker,
 * which runs on zstd's native threads while the caller hashes and stores. Memory is fixed whatever
 * the artifact size: at most about 2 MiB of buffers (lz4's blocks; zstd's take about 200 KiB),
 * plus zstd's native state (a few MiB on one thread, about 25 MiB more per worker at level 3).
 * {@link #flush()} does nothing: forcing the codec to
 * flush would cost ratio, and nothing is visible before {@link #finish()} anyway. Not thread-safe.
 */
public final class ArtifactOutput extends OutputStream {
    /** File name suffix of encrypted artifacts. */
    public static final String ENCRYPTED_SUFFIX = ".gpg";

    private final StorageWriter target;
    private final String file;
    private final StoredOutput stored;
    private final CodecSpec codec;
    /** The encrypting stream between codec and storage, or null. */
    private final OutputStream cipher;
    private final EncryptionKeys encryption;
    private final CountingOutputStream encoded;
    private final Encoder encoder;
    private MessageDigest plainSha256 = Sha256.newDigest();
    private final byte[] oneByte = new byte[1];
    private long size;
    private boolean failed;
    private boolean finished;
    private boolean closed;

    private ArtifactOutput(StorageWriter target, String file, CodecSpec codec, EncryptionKeys encryption, Date time)
            throws IOException {
        this.target = target;
        this.file = file;
        this.stored = new StoredOutput(target);
        this.codec = codec;
        this.encryption = encryption;
        this.cipher = encryption == null ? null
                : encryption.open(stored, file.endsWith(ENCRYPTED_SUFFIX)
                        ? file.substring(0, file.length() - ENCRYPTED_SUFFIX.length()) : file, time);
        this.encoded = cipher == null ? null : new CountingOutputStream(cipher);
        this.encoder = Encoder.open(codec, encoded == null ? stored : encoded);
    }

    /** Starts an artifact in {@code target}, encoded with {@code codec}. Takes ownership of target. */
    public static ArtifactOutput open(StorageWriter target, CodecSpec codec) {
        return open(target, "", codec, null, new Date(0));
    }

    /**
     * Starts the artifact {@code file} in {@code target}, encoded with {@code codec} and then
     * encrypted to {@code encryption} (null for none). Takes ownership of target.
     *
     * @param file the stored file name; the OpenPGP message records it without {@code .gpg}
     * @param time the modification time the OpenPGP message records
     */
    public static ArtifactOutput open(StorageWriter target, String file, CodecSpec codec, EncryptionKeys encryption,
            Date time) {
        Objects.requireNonNull(target, "target");
        try {
            return new ArtifactOutput(target, file, Objects.requireNonNull(codec, "codec"), encryption, time);
        } catch (IOException e) {
            target.close();
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            target.close();
            throw e;
        }
    }

    /** The stored file name given to {@link #open(StorageWriter, String, CodecSpec, EncryptionKeys, Date)}. */
    public String file() {
        return file;
    }

    /** The codec chain from plain to stored bytes, as the manifest records it: {@code ["zstd:3", "openpgp"]}. */
    public List<String> codecs() {
        List<String> chain = new ArrayList<>(List.of(codec.toString()));
        if (encryption != null) {
            chain.add(ArtifactEncryption.FORMAT);
        }
        return chain;
    }

    /** How the artifact is encrypted, for the manifest; null when it is not. */
    public ArtifactEncryption encryption() {
        return encryption == null ? null : encryption.describe();
    }

    /**
     * Leaves out the SHA-256 of the plain bytes (the manifest's {@code sha256} stays empty): for
     * content that carries its own, stronger-placed checks, such as a base backup's tars, whose
     * every file the server's {@code backup_manifest} checksums, or a WAL file whose name already
     * holds its SHA-256. The stored bytes' SHA-256 and size are still taken, and a codec's frame
     * checksums still check decoding. Saves a hash over every plain byte (about 0.7 s per GiB of
     * one core). Call before writing.
     */
    public ArtifactOutput withoutPlainDigest() {
        if (size > 0) {
            throw new IllegalStateException("withoutPlainDigest() after bytes were written");
        }
        plainSha256 = null;
        return this;
    }

    @Override
    public void write(int b) throws IOException {
        oneByte[0] = (byte) b;
        write(oneByte, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkWritable();
        try {
            if (plainSha256 != null) {
                plainSha256.update(b, off, len);
            }
            encoder.write(b, off, len);
            size += len;
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Plain bytes written so far. */
    public long size() {
        return size;
    }

    /**
     * Stored (encoded) bytes handed to the storage writer so far; behind {@link #size()} by what the
     * codec still buffers. For progress reporting.
     */
    public long storedSize() {
        return stored.size();
    }

    /**
     * Ends the current codec frame so that decoding can start at the next byte written, and returns
     * that position. Cheap enough to call once per table in a dump. Marking again before writing
     * more returns the same position without writing an empty frame.
     */
    public SeekPoint markSeekPoint(String label) throws IOException {
        Objects.requireNonNull(label, "label");
        checkWritable();
        try {
            encoder.endFrame();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        return new SeekPoint(label, size, encoded == null ? stored.size() : encoded.size);
    }

    /** Ends the codec, commits the object and returns its sizes and digests. */
    public ArtifactDigest finish() throws IOException {
        checkWritable();
        try {
            encoder.finish();
            encoder.close();
            if (cipher != null) {
                cipher.close();
            }
            target.commit();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        finished = true;
        return new ArtifactDigest(size, plainSha256 == null ? null : Sha256.hex(plainSha256), stored.size(),
                stored.sha256Hex());
    }

    /** Nothing to do; see the class comment. */
    @Override
    public void flush() {
    }

    /** Aborts unless finished. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            try {
                encoder.close();
            } finally {
                target.close();
            }
        }
    }

    private void checkWritable() {
        if (closed || finished) {
            throw new IllegalStateException("artifact output is " + (finished ? "finished" : "closed"));
        }
        if (failed) {
            throw new IllegalStateException("artifact output failed earlier; close it to abort");
        }
    }

    /** Counts the codec's output on its way into encryption: seek points are offsets in it. */
    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        private long size;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            size += len;
        }
    }
}
