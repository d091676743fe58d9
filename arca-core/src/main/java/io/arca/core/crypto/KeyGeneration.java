package io.arca.core.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;
import org.bouncycastle.openpgp.operator.PGPKeyPairGenerator;

/**
 * Makes a key pair for backups: an OpenPGP version 4 key with an Ed25519 primary key (certifies)
 * and a Curve25519 encryption subkey, the kind {@code gpg --quick-gen-key NAME future-default}
 * makes and GnuPG 2.2 and later read. The private key is protected by a passphrase unless none is given.
 */
public final class KeyGeneration {
    private KeyGeneration() {
    }

    /** A generated key pair, both halves ASCII-armored. */
    public record KeyPair(String fingerprint, String userId, String publicKey, String privateKey) {
    }

    /**
     * @param userId such as {@code Arca backups <ops@example.com>}
     * @param passphrase protects the private key; null leaves it unprotected
     */
    public static KeyPair generate(String userId, char[] passphrase, Date created) {
        try {
            // false: protect the secret keys with CFB and an iterated S2K (usage 254), which GnuPG 2.2
            // reads, not with AEAD (usage 253); BouncyCastle wipes the passphrase it is given
            // the legacy EdDSA (22) and ECDH Curve25519 (18) algorithm ids: GnuPG 2.2 knows no others
            OpenPGPKey key = new BcOpenPGPApi().generateKey(4, created, false)
                    .withPrimaryKey(PGPKeyPairGenerator::generateLegacyEd25519KeyPair)
                    .addUserId(userId)
                    .addEncryptionSubkey(PGPKeyPairGenerator::generateLegacyX25519KeyPair)
                    .build(passphrase == null ? null : passphrase.clone());
            return new KeyPair(OpenPgp.fingerprint(key), userId, key.toCertificate().toAsciiArmoredString(),
                    key.toAsciiArmoredString());
        } catch (PGPException e) {
            throw new IllegalStateException("key generation failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
