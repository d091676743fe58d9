package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.crypto.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKey;

/** Builds the keys of a command from its key options. */
final class Keys {
    private Keys() {
    }

    /**
     * What key files hold, or else what environment variable {@code env} holds, read by
     * {@code parse(bytes, origin)}; empty when neither is given.
     */
    static <T> List<T> fromFilesOrEnv(List<Path> files, String env, BiFunction<byte[], String, List<T>> parse) {
        List<T> out = new ArrayList<>();
        if (!files.isEmpty()) {
            files.forEach(f -> out.addAll(parse.apply(KeyMaterial.readFile(f), f.toString())));
        } else {
            String value = System.getenv(env);
            if (value != null && !value.isBlank()) {
                out.addAll(parse.apply(value.getBytes(StandardCharsets.UTF_8), env));
            }
        }
        return out;
    }

    /** The passphrase in {@code file}, or else in environment variable {@code env}; null when neither is set. */
    static char[] passphrase(Path file, String env) {
        if (file != null) {
            byte[] data = KeyMaterial.readFile(file);
            try {
                return KeyMaterial.passphrase(data, file.toString());
            } finally {
                Arrays.fill(data, (byte) 0);
            }
        }
        String value = System.getenv(env);
        return value == null || value.isEmpty() ? null : KeyMaterial.passphrase(value.getBytes(StandardCharsets.UTF_8), env);
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
                throw new UsageException("--private-key-passphrase-file needs --private-key (or ARCA_PRIVATE_KEY)");
            }
            return null;
        }
        return DecryptionKeys.of(keys, keys.isEmpty() ? null : privateKeys.passphrase(), pass);
    }
}
