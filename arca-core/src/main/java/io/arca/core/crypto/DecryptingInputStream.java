package io.arca.core.crypto;

import io.arca.core.BulkInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.SessionKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.jcajce.JceSessionKeyDataDecryptorFactoryBuilder;

/**
 * The content of a whole OpenPGP message, decrypted as it streams: Arca's own messages and what
 * {@code gpg --encrypt} or {@code gpg --symmetric} wrote (compressed or not). When the content
 * ends, the rest of the message is read and its integrity check (MDC) verified; a message without
 * one is refused. Key problems are {@code ArcaException(KEY)}, damage is
 * {@code ArcaException(VERIFICATION_FAILED)}; an {@link IOException} from the underlying stream
 * passes through unchanged (it says nothing about the message). The bulk cipher runs on the
 * JDK's AES (hardware-accelerated); key packets go through BouncyCastle.
 */
public final class DecryptingInputStream extends BulkInputStream {
    private final Source source;
    private final DecryptionKeys keys;
    private final String artifact;
    private final ArtifactEncryption expected;
    private DecryptionKeys.Session session;
    private InputStream clear;
    private InputStream content;
    private boolean ended;

    /**
     * @param stored the message, from its first byte
     * @param artifact name used in messages
     * @param expected what the manifest says about the encryption, or null
     */
    public DecryptingInputStream(InputStream stored, DecryptionKeys keys, String artifact, ArtifactEncryption expected) {
        this.source = new Source(Objects.requireNonNull(stored, "stored"));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.artifact = artifact;
        this.expected = expected;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (ended) {
            return -1;
        }
        try {
            if (content == null) {
                start();
            }
            int n = content.read(b, off, len);
            if (n < 0) {
                end();
            }
            return n;
        } catch (IOException | PGPException | RuntimeException e) {
            throw translate(e);
        }
    }

    private void start() throws IOException, PGPException {
        BcPGPObjectFactory factory = new BcPGPObjectFactory(source);
        Object first = factory.nextObject();
        while (first instanceof PGPMarker) {
            first = factory.nextObject();
        }
        if (!(first instanceof PGPEncryptedDataList list)) {
            throw OpenPgp.corrupt(artifact, "it is not an OpenPGP encrypted message", null);
        }
        session = keys.open(list, artifact, expected);
        if (!session.data().isIntegrityProtected()) {
            throw OpenPgp.corrupt(artifact, "its OpenPGP data has no integrity protection (MDC); Arca refuses to use it",
                    null);
        }
        SessionKeyDataDecryptorFactory decryptor = new JceSessionKeyDataDecryptorFactoryBuilder().build(session.key());
        try {
            clear = session.data() instanceof PGPPublicKeyEncryptedData pk ? pk.getDataStream(decryptor)
                    : ((PGPPBEEncryptedData) session.data()).getDataStream(decryptor);
        } catch (PGPException e) {
            // with a passphrase the quick check is the only test of the session key
            if (session.passphrase()) {
                throw DecryptionKeys.wrongPassphrase(artifact, e);
            }
            throw e;
        }
        content = literal(new BcPGPObjectFactory(clear));
    }

    private InputStream literal(BcPGPObjectFactory factory) throws IOException, PGPException {
        Object o;
        while ((o = factory.nextObject()) != null) {
            if (o instanceof PGPLiteralData literal) {
                return literal.getInputStream();
            }
            if (o instanceof PGPCompressedData compressed) {
                return literal(new BcPGPObjectFactory(compressed.getDataStream()));
            }
            if (!(o instanceof PGPOnePassSignatureList) && !(o instanceof PGPSignatureList) && !(o instanceof PGPMarker)) {
                throw OpenPgp.corrupt(artifact, "unexpected OpenPGP packet " + o.getClass().getSimpleName()
                        + " where the data should be", null);
            }
        }
        throw OpenPgp.corrupt(artifact, "the OpenPGP message holds no data", null);
    }

    /** Reads what follows the content (signatures, MDC) and checks the MDC. */
    private void end() throws IOException, PGPException {
        clear.transferTo(OutputStream.nullOutputStream());
        if (!session.data().verify()) {
            throw OpenPgp.corrupt(artifact, "the OpenPGP integrity check (MDC) failed", null);
        }
        ended = true;
    }

    private IOException translate(Exception e) {
        if (source.failure != null) {
            return source.failure;
        }
        if (e instanceof io.arca.core.error.ArcaException a) {
            throw a;
        }
        throw OpenPgp.corrupt(artifact, "the OpenPGP data does not decrypt (" + e.getMessage() + ")", e);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** The message as stored; remembers an I/O failure of its own so it is not mistaken for damage. */
    private static final class Source extends InputStream {
        private final InputStream in;
        private IOException failure;

        Source(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
