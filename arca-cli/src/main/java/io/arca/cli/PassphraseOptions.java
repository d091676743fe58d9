package io.arca.cli;

import io.arca.core.crypto.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** {@code --passphrase-file FILE} or {@code ARCA_PASSPHRASE}: the repository passphrase (symmetric encryption). */
final class PassphraseOptions {
    static final String ENV = "ARCA_PASSPHRASE";

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "File holding the repository passphrase (AES-256, as gpg --symmetric; one trailing line"
                    + " break is ignored). Without it, env " + ENV + " may hold the passphrase itself.")
    Path file;

    /** The passphrase given, or null. */
    char[] passphrase() {
        if (file != null) {
            byte[] data = KeyMaterial.readFile(file);
            try {
                return KeyMaterial.passphrase(data, file.toString());
            } finally {
                Arrays.fill(data, (byte) 0);
            }
        }
        String env = System.getenv(ENV);
        return env == null || env.isEmpty() ? null : KeyMaterial.passphrase(env.getBytes(StandardCharsets.UTF_8), ENV);
    }
}
