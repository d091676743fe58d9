package io.arca.core.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real {@code gpg} with a keyring of its own in a temporary directory: for tests that check
 * Arca's OpenPGP against GnuPG both ways. Fails (never skips) when gpg is not installed.
 */
public final class GpgHome implements AutoCloseable {
    private final Path home;

    private GpgHome(Path home) {
        this.home = home;
    }

    public static GpgHome create() throws IOException {
        Path home = Files.createTempDirectory("arca-gnupg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        GpgHome gpg = new GpgHome(home);
        gpg.run("--version");
        return gpg;
    }

    public Path home() {
        return home;
    }

    /** What a gpg run printed. */
    public record Result(int exit, String stdout, String stderr) {
    }

    /** Runs gpg (batch, loopback pinentry) and fails when it exits non-zero. */
    public Result run(String... args) throws IOException {
        Result r = tryRun(args);
        if (r.exit() != 0) {
            throw new AssertionError("gpg " + String.join(" ", args) + " exited with " + r.exit() + ": " + r.stderr());
        }
        return r;
    }

    /** Runs gpg and returns whatever happened. */
    public Result tryRun(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--yes",
                "--no-tty", "--pinentry-mode", "loopback", "--trust-model", "always"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out-", ".txt");
        Path err = Files.createTempFile(home, "err-", ".txt");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new AssertionError("'gpg' is not installed or not on PATH (" + e.getMessage()
                    + "); the encryption tests need GnuPG: apt-get install gnupg", e);
        }
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("gpg " + String.join(" ", args) + " did not finish within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Imports a key file; a protected private key needs its passphrase in {@code passphraseFile}. */
    public void importKey(Path keyFile, Path passphraseFile) throws IOException {
        if (passphraseFile == null) {
            run("--import", keyFile.toString());
        } else {
            run("--passphrase-file", passphraseFile.toString(), "--import", keyFile.toString());
        }
    }

    @Override
    public void close() throws IOException {
        tryRun("--batch", "--quiet", "--kill", "gpg-agent").exit();
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
