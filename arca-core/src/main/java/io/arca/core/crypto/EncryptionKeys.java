package io.arca.core.crypto;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * What new artifacts are encrypted to: recipients' public keys, a passphrase, or both (any one of
 * them then decrypts). Writes OpenPGP messages that {@code gpg --decrypt} reads: one public-key
 * (PKESK) or passphrase (SKESK, iterated and salted SHA-256 S2K) session key packet per way in,
 * then AES-256 integrity-protected data (SEIPD version 1 with MDC) holding one binary literal data
 * packet, both with 64 KiB partial body lengths. That fixed layout is what lets
 * {@link SeekableMessage} start decrypting anywhere. Thread-safe: several artifacts may be written
 * at once.
 */
public final class EncryptionKeys {
    private final List<OpenPGPCertificate> recipients;
    private final char[] passphrase;
    private final CachingPbeMethod passphraseMethod;
    private final SecureRandom random = new SecureRandom();

    private EncryptionKeys(List<OpenPGPCertificate> recipients, char[] passphrase) {
        this.recipients = List.copyOf(recipients);
        this.passphrase = passphrase == null ? null : passphrase.clone();
        this.passphraseMethod = passphrase == null ? null : new CachingPbeMethod(this.passphrase);
        if (this.recipients.isEmpty() && passphrase == null) {
            throw new IllegalArgumentException("no recipient and no passphrase");
        }
    }

    /** Recipients (from {@link KeyMaterial#publicKeys}) and/or a passphrase (null for none). */
    public static EncryptionKeys of(List<OpenPGPCertificate> recipients, char[] passphrase) {
        return new EncryptionKeys(recipients, passphrase);
    }

    /** Primary key fingerprints of the recipients, in the order given. */
    public List<String> fingerprints() {
        return recipients.stream().map(OpenPgp::fingerprint).toList();
    }

    /** The first user id of each recipient, in the order of {@link #fingerprints()}. */
    public List<String> userIds() {
        return recipients.stream().map(OpenPgp::userId).toList();
    }

    public boolean hasPassphrase() {
        return passphrase != null;
    }

    /** A new {@link PassphraseCheck} of the passphrase for repository {@code repositoryId}; null without one. */
    public String passphraseCheck(String repositoryId) {
        return passphrase == null ? null : PassphraseCheck.create(passphrase, repositoryId);
    }

    /** Whether the passphrase is the one {@code check} was made with (see {@link PassphraseCheck}). */
    public boolean passphraseMatches(String check, String repositoryId) {
        return passphrase != null && PassphraseCheck.matches(check, passphrase, repositoryId);
    }

    /** The manifest entry of an artifact written with these keys. */
    public ArtifactEncryption describe() {
        return new ArtifactEncryption(ArtifactEncryption.FORMAT, OpenPgp.CIPHER_NAME, OpenPgp.INTEGRITY, fingerprints(),
                passphrase != null, OpenPgp.CHUNK);
    }

    /**
     * Starts an encrypted message into {@code sink}. Closing the returned stream ends the message
     * (final chunks and MDC) but leaves {@code sink} open.
     *
     * @param name the file name recorded in the literal data packet
     * @param time the modification time recorded there
     */
    public OutputStream open(OutputStream sink, String name, Date time) throws IOException {
        PGPEncryptedDataGenerator generator = new PGPEncryptedDataGenerator(
                new JcePGPDataEncryptorBuilder(OpenPgp.CIPHER).setWithIntegrityPacket(true).setSecureRandom(random));
        generator.setForceSessionKey(true);
        for (OpenPGPCertificate cert : recipients) {
            cert.getEncryptionKeys().forEach(k -> generator.addMethod(
                    new BcPublicKeyKeyEncryptionMethodGenerator(k.getPGPPublicKey()).setSecureRandom(random)));
        }
        if (passphraseMethod != null) {
            generator.addMethod(passphraseMethod);
        }
        OutputStream encrypted;
        try {
            encrypted = generator.open(new FilterOutputStream(sink) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the sink belongs to the caller
                }
            }, new byte[OpenPgp.CHUNK]);
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption: " + e.getMessage(), e);
        }
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, name, time, new byte[OpenPgp.CHUNK]);
        return new FilterOutputStream(plain) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    literal.close();
                    generator.close();
                }
            }
        };
    }

    /** Wipes the passphrase from memory. */
    public void destroy() {
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(fingerprints());
        if (passphrase != null) {
            parts.add("passphrase");
        }
        return "EncryptionKeys" + parts;
    }
}
