package io.arca.cli;

import io.arca.core.crypto.KeyMaterial;
import java.nio.file.Path;
import java.util.ArrayList;
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
        return Keys.fromFilesOrEnv(files, ENV, KeyMaterial::privateKeys);
    }

    /** The private keys' passphrase, or null. */
    char[] passphrase() {
        return Keys.passphrase(passphraseFile, PASSPHRASE_ENV);
    }
}
