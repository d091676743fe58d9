package io.arca.cli;

import java.nio.file.Path;
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
        return Keys.passphrase(file, ENV);
    }
}
