package io.arca.cli;

import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKey;

/** Builds the keys of a command from its key options. */
final class Keys {
    private Keys() {
    }

    /** What new backups are encrypted with: the public keys and/or passphrase given; null when none. */
    static EncryptionKeys encryption(PublicKeyOptions publicKeys, PassphraseOptions passphrase) {
        List<OpenPGPCertificate> certs = publicKeys.certificates();
        char[] pass = passphrase.passphrase();
        return certs.isEmpty() && pass == null ? null : EncryptionKeys.of(certs, pass);
    }

    /** What backups are decrypted with: the private keys and/or passphrase given; null when none. */
    static DecryptionKeys decryption(PrivateKeyOptions privateKeys, PassphraseOptions passphrase) {
        List<OpenPGPKey> keys = privateKeys.keys();
        char[] pass = passphrase.passphrase();
        if (keys.isEmpty() && pass == null) {
            if (privateKeys.passphraseFile != null) {
                throw new IllegalArgumentException("--private-key-passphrase-file needs --private-key (or ARCA_PRIVATE_KEY)");
            }
            return null;
        }
        return DecryptionKeys.of(keys, keys.isEmpty() ? null : privateKeys.passphrase(), pass);
    }
}
