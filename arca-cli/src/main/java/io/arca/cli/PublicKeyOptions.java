package io.arca.cli;

import io.arca.core.crypto.KeyMaterial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import picocli.CommandLine.Option;

/** {@code --encrypt-to KEYFILE} (repeatable) or {@code ARCA_PUBLIC_KEY}: the public keys backups are encrypted to. */
final class PublicKeyOptions {
    static final String ENV = "ARCA_PUBLIC_KEY";

    @Option(names = "--encrypt-to", paramLabel = "KEYFILE",
            description = "Encrypt backups to this OpenPGP public key (armored or binary; repeatable; any one of the"
                    + " private keys then decrypts). Without it, env " + ENV + " may hold the key(s) itself.")
    List<Path> files = new ArrayList<>();

    /** The public keys given, empty when none. */
    List<OpenPGPCertificate> certificates() {
        return Keys.fromFilesOrEnv(files, ENV, KeyMaterial::publicKeys);
    }
}
