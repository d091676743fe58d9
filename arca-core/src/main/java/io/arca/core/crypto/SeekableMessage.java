package io.arca.core.crypto;

import io.arca.core.BulkInputStream;
import io.arca.core.error.ArcaException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Random access into an OpenPGP message laid out as Arca writes it (see {@link EncryptionKeys}):
 * decryption can start at any offset of the content, because OpenPGP's CFB mode decrypts a block
 * from the ciphertext block before it alone, and fixed-size partial body chunks make every
 * position computable. Parallel restores use it to read table data from seek points.
 *
 * <p>A range read cannot check the message's MDC, which covers the whole content: the codec's own
 * frame checksums check each range instead, and a changed ciphertext block garbles the block after
 * it, which those checksums catch. {@code arca verify} and the serial restore check the MDC.
 */
public final class SeekableMessage {
    private static final int AES_BLOCK = 16;
    /** How much of a message's start {@link #read} needs: key packets and the first chunk header. */
    public static final int HEAD = 1 << 16;

    private final PacketBody encrypted;
    private final PacketBody literal;
    private final long contentStart;
    private final SecretKeySpec key;

    private SeekableMessage(PacketBody encrypted, PacketBody literal, long contentStart, SecretKeySpec key) {
        this.encrypted = encrypted;
        this.literal = literal;
        this.contentStart = contentStart;
        this.key = key;
    }

    /** What {@link #read} found. */
    public sealed interface Layout {
    }

    /** The message can be read from any content offset. */
    public record Seekable(SeekableMessage message) implements Layout {
    }

    /** The message must be read from its start (compressed content, another cipher, ...): why. */
    public record Sequential(String reason) implements Layout {
    }

    /**
     * Reads the layout from the first {@code length} bytes of a message (up to {@link #HEAD}, or
     * the whole message when shorter), recovering its session key.
     *
     * @throws ArcaException KEY when no given key opens it, VERIFICATION_FAILED when it is damaged
     */
    public static Layout read(byte[] head, int length, DecryptionKeys keys, String artifact, ArtifactEncryption expected) {
        if (expected == null || expected.chunkSize() <= 0) {
            // not written by Arca: its chunks may vary in size, so only the whole message is read
            try {
                open(head, length, keys, artifact, expected);
            } catch (IOException | RuntimeException e) {
                if (e instanceof ArcaException a) {
                    throw a;
                }
                // the key packets did not fit the head; the sequential read will report on them
            }
            return new Sequential("it was not written by Arca");
        }
        try {
            return parse(head, length, keys, artifact, expected);
        } catch (IllegalArgumentException | IOException e) {
            throw OpenPgp.corrupt(artifact, "its OpenPGP packets do not parse (" + e.getMessage() + ")", e);
        }
    }

    private static Layout parse(byte[] head, int length, DecryptionKeys keys, String artifact,
            ArtifactEncryption expected) throws IOException {
        int pos = 0;
        long[] h;
        while (true) {
            h = PacketBody.header(head, pos, length);
            if (h == null) {
                return new Sequential("its key packets fill more than " + HEAD + " bytes");
            }
            int tag = (int) h[0];
            if (tag == 1 || tag == 3 || tag == 10) {
                if (h[3] == 1) {
                    throw new IllegalArgumentException("key packet with partial length");
                }
                pos += (int) (h[1] + h[2]);
                continue;
            }
            break;
        }
        if (h[0] != 18) {
            if (h[0] == 9 || h[0] == 20) {
                // opened through the sequential path, which refuses packet 9 (no MDC)
                return new Sequential("its encrypted data is of OpenPGP packet type " + h[0]);
            }
            throw new IllegalArgumentException("packet type " + h[0] + " where encrypted data should be");
        }
        // new-format header: one tag byte, then the length; a partial body's chunk headers start there
        PacketBody encrypted = h[3] == 1 ? new PacketBody(pos + 1, h[2], true) : new PacketBody(pos + h[1], h[2], false);
        if (encrypted.partial() && encrypted.chunk() != expected.chunkSize()) {
            return new Sequential("its encrypted data comes in chunks of " + encrypted.chunk() + " bytes");
        }
        DecryptionKeys.Session session = open(head, length, keys, artifact, expected);
        int algorithm = session.key().getAlgorithm();
        if (algorithm != SymmetricKeyAlgorithmTags.AES_128 && algorithm != SymmetricKeyAlgorithmTags.AES_192
                && algorithm != SymmetricKeyAlgorithmTags.AES_256) {
            return new Sequential("its cipher is OpenPGP algorithm " + algorithm + ", not AES");
        }
        SecretKeySpec key = new SecretKeySpec(session.key().getKey(), "AES");
        // the body: version byte 1, then CFB ciphertext of: 16 random bytes, their last two again, packets
        InputStream body = encrypted.open(new ByteArrayInputStream(head, (int) encrypted.readFrom(0),
                length - (int) encrypted.readFrom(0)), 0);
        int version = body.read();
        if (version != 1) {
            return new Sequential("its encrypted data is version " + version);
        }
        byte[] start = new byte[Math.min(512, length)];
        int n = body.readNBytes(start, 0, start.length);
        byte[] plain = cfb(key, new byte[AES_BLOCK]).update(start, 0, n);
        if (plain == null || plain.length < AES_BLOCK + 4) {
            return new Sequential("its first chunk is too short");
        }
        if (plain[AES_BLOCK - 2] != plain[AES_BLOCK] || plain[AES_BLOCK - 1] != plain[AES_BLOCK + 1]) {
            if (session.passphrase()) {
                throw DecryptionKeys.wrongPassphrase(artifact, null);
            }
            throw OpenPgp.corrupt(artifact, "its OpenPGP quick check fails", null);
        }
        int q = AES_BLOCK + 2;
        long[] lh = PacketBody.header(plain, q, plain.length);
        if (lh == null || lh[0] != 11) {
            return new Sequential("its content is " + (lh == null ? "unreadable" : "OpenPGP packet type " + lh[0])
                    + ", not plain literal data");
        }
        boolean newFormat = (plain[q] & 0x40) != 0;
        PacketBody literal = lh[3] == 1 ? new PacketBody(q + 1, lh[2], true)
                : new PacketBody(q + lh[1], lh[2], false);
        if (!newFormat && lh[3] == 1) {
            throw new IllegalArgumentException("old-format packet with partial length");
        }
        if (literal.partial() && literal.chunk() != expected.chunkSize()) {
            return new Sequential("its literal data comes in chunks of " + literal.chunk() + " bytes");
        }
        // literal body: format, file name length, file name, 4-byte date, then the content
        InputStream lit = literal.open(new ByteArrayInputStream(plain, (int) literal.readFrom(0),
                plain.length - (int) literal.readFrom(0)), 0);
        lit.read();
        int nameLength = lit.read();
        if (nameLength < 0) {
            return new Sequential("its literal data header is not in its first chunk");
        }
        return new Seekable(new SeekableMessage(encrypted, literal, 2 + nameLength + 4, key));
    }

    /** Recovers the session key from the key packets at the start of a message. */
    private static DecryptionKeys.Session open(byte[] head, int length, DecryptionKeys keys, String artifact,
            ArtifactEncryption expected) throws IOException {
        BcPGPObjectFactory factory = new BcPGPObjectFactory(new ByteArrayInputStream(head, 0, length));
        Object first = factory.nextObject();
        while (first instanceof PGPMarker) {
            first = factory.nextObject();
        }
        if (!(first instanceof PGPEncryptedDataList list)) {
            throw OpenPgp.corrupt(artifact, "it is not an OpenPGP encrypted message", null);
        }
        return keys.open(list, artifact, expected);
    }

    /**
     * The content from {@code offset} to its end.
     *
     * @param opener opens the stored message from a byte position to its end (a ranged read)
     */
    public InputStream openAt(long offset, RangeOpener opener) throws IOException {
        long literalOffset = contentStart + offset;
        long plainPosition = literal.readFrom(literalOffset);
        long blockStart = plainPosition / AES_BLOCK * AES_BLOCK;
        long cipherStart = Math.max(0, blockStart - AES_BLOCK);
        long bodyOffset = 1 + cipherStart;
        InputStream raw = opener.open(encrypted.readFrom(bodyOffset));
        InputStream ciphertext = encrypted.open(raw, bodyOffset);
        byte[] iv = new byte[AES_BLOCK];
        if (blockStart > 0) {
            readFully(ciphertext, iv);
        }
        InputStream plain = new CfbInputStream(ciphertext, cfb(key, iv));
        plain.skipNBytes(plainPosition - blockStart);
        return literal.open(plain, literalOffset);
    }

    /** Opens a stored message at a byte position. */
    @FunctionalInterface
    public interface RangeOpener {
        InputStream open(long position) throws IOException;
    }

    private static Cipher cfb(SecretKeySpec key, byte[] iv) {
        try {
            Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CFB is not available in this JDK", e);
        }
    }

    private static void readFully(InputStream in, byte[] b) throws IOException {
        if (in.readNBytes(b, 0, b.length) != b.length) {
            throw new EOFException("the OpenPGP message ends early");
        }
    }

    /** CFB decryption of a stream, through the JDK's cipher. */
    private static final class CfbInputStream extends BulkInputStream {
        private final InputStream in;
        private final Cipher cipher;
        private final byte[] input = new byte[1 << 16];
        private byte[] output = new byte[0];
        private int outPos;
        private int outEnd;
        private boolean eof;

        CfbInputStream(InputStream in, Cipher cipher) {
            this.in = in;
            this.cipher = cipher;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (outPos == outEnd) {
                if (eof) {
                    return -1;
                }
                fill();
            }
            int n = Math.min(len, outEnd - outPos);
            System.arraycopy(output, outPos, b, off, n);
            outPos += n;
            return n;
        }

        private void fill() throws IOException {
            int n = in.read(input);
            try {
                if (n < 0) {
                    eof = true;
                    output = cipher.doFinal();
                } else {
                    if (output.length < n + AES_BLOCK) {
                        output = new byte[n + AES_BLOCK];
                    }
                    outEnd = cipher.update(input, 0, n, output, 0);
                    outPos = 0;
                    return;
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("AES/CFB failed: " + e.getMessage(), e);
            }
            outPos = 0;
            outEnd = output.length;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
