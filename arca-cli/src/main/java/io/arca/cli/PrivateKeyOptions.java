package io.arca.cli;

import io.arca.core.crypto.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import picocli.CommandLine.Option;

/** {@code --private-key KEYFILE} and its passphrase, or {@code ARCA_PRIVATE_KEY} and {@code ARCA_PRIVATE_KEY_PASSPHRASE}. */
final class PrivateKeyOptions {
    static final String ENV = "ARCA_PRIVATE_KEY";
    static final String PASSPHRASE_ENV = "ARCA_PRIVATE_KEY_PASSPHRASE";

    @Option(names = "--private-key", paramLabel = "KEYFILE",
            description = "OpenPGP private key to decrypt backups with (repeatable). Without it, env " + ENV
                    + " may hold the key itself.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--private-key-passphrase-file", paramLabel = "FILE",
            description = "File holding the passphrase that protects the private key. Without it, env "
                    + PASSPHRASE_ENV + " may hold it.")
    Path passphraseFile;

    /** The private keys given (still locked), empty when none. */
    List<OpenPGPKey> keys() {
        List<OpenPGPKey> keys = new ArrayList<>();
        if (!files.isEmpty()) {
            files.forEach(f -> keys.addAll(KeyMaterial.privateKeys(KeyMaterial.readFile(f), f.toString())));
        } else {
            String env = System.getenv(ENV);
            if (env != null && !env.isBlank()) {
                keys.addAll(KeyMaterial.privateKeys(env.getBytes(StandardCharsets.UTF_8), ENV));
            }
        }
        return keys;
    }

    /** The private keys' passphrase, or null. */
    char[] passphrase() {
        if (passphraseFile != null) {
            byte[] data = KeyMaterial.readFile(passphraseFile);
            try {
                return KeyMaterial.passphrase(data, passphraseFile.toString());
            } finally {
                Arrays.fill(data, (byte) 0);
            }
        }
        String env = System.getenv(PASSPHRASE_ENV);
        return env == null || env.isEmpty() ? null
                : KeyMaterial.passphrase(env.getBytes(StandardCharsets.UTF_8), PASSPHRASE_ENV);
    }
}
