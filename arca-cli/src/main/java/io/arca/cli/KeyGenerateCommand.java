package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.crypto.KeyGeneration;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code arca key generate}: a key pair for a repository's backups. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write an OpenPGP key pair for encrypted backups: <out>.pub.asc (the public key, for backup"
                + " jobs and 'arca init --encrypt-to') and <out>.key.asc (the private key, for restores; keep it away"
                + " from backup hosts).",
                "The private key is protected by a passphrase from --passphrase-file, ARCA_PRIVATE_KEY_PASSPHRASE or a"
                        + " prompt, unless --no-passphrase. Existing files are never overwritten.",
                "gpg reads both files: gpg --import <out>.key.asc."})
final class KeyGenerateCommand implements Callable<Integer> {
    @ParentCommand
    KeyCommand parent;
    @Mixin
    OutputOptions output;

    @Option(names = "--out", paramLabel = "PATH", required = true,
            description = "Where to write: PATH.pub.asc and PATH.key.asc.")
    Path out;

    @Option(names = "--name", paramLabel = "USER-ID", defaultValue = "Arca backups",
            description = "User id of the key, such as 'Shop backups <ops@example.com>' (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "File holding the passphrase that will protect the private key.")
    Path passphraseFile;

    @Option(names = "--no-passphrase", description = "Leave the private key unprotected (store it in a secret store instead).")
    boolean noPassphrase;

    @Override
    public Integer call() {
        if (noPassphrase && passphraseFile != null) {
            throw new UsageException("give either --passphrase-file or --no-passphrase, not both");
        }
        Path publicFile = Path.of(out + ".pub.asc");
        Path privateFile = Path.of(out + ".key.asc");
        for (Path p : new Path[] {publicFile, privateFile}) {
            if (Files.exists(p)) {
                throw new ArcaException(ErrorCode.FAILURE, "'" + p + "' already exists",
                        "choose another --out; arca never overwrites a key file");
            }
        }
        char[] passphrase = noPassphrase ? null : passphrase();
        KeyGeneration.KeyPair pair;
        try {
            pair = KeyGeneration.generate(name, passphrase, new Date());
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
        try {
            write(privateFile, pair.privateKey(), "rw-------");
            write(publicFile, pair.publicKey(), "rw-r--r--");
        } catch (ArcaException e) {
            // half a key pair is no use, and would make the next try say "already exists"
            if (e.code() == ErrorCode.LOCAL_IO) {
                deleteQuietly(privateFile);
                deleteQuietly(publicFile);
            }
            throw e;
        }
        if (output.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("fingerprint", pair.fingerprint());
            j.put("userId", pair.userId());
            j.put("publicKey", publicFile.toString());
            j.put("privateKey", privateFile.toString());
            j.put("passphrase", !noPassphrase);
            Text.json(parent.root.out, j);
            return 0;
        }
        var o = parent.root.out;
        o.println("key " + pair.fingerprint() + " (" + pair.userId() + ")");
        o.println("public key   " + publicFile + "   give it to backup jobs: arca init --encrypt-to " + publicFile);
        o.println("private key  " + privateFile + "   " + (noPassphrase ? "not protected by a passphrase" : "protected by the passphrase")
                + "; keep it off backup hosts, and keep a copy where a lost host cannot take it");
        o.flush();
        return 0;
    }

    private char[] passphrase() {
        char[] given = Keys.passphrase(passphraseFile, PrivateKeyOptions.PASSPHRASE_ENV);
        if (given != null) {
            return given;
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageException("no passphrase for the private key: give --passphrase-file FILE or set "
                    + PrivateKeyOptions.PASSPHRASE_ENV + ", or pass --no-passphrase");
        }
        char[] first = console.readPassword("passphrase for the private key: ");
        char[] second = console.readPassword("the same again: ");
        if (first == null || first.length == 0 || !Arrays.equals(first, second)) {
            throw new UsageException(first == null || first.length == 0 ? "empty passphrase"
                    : "the two passphrases differ");
        }
        Arrays.fill(second, '\0');
        return first;
    }

    private static void write(Path file, String text, String permissions) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            try {
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (FileAlreadyExistsException e) {
                throw new ArcaException(ErrorCode.LOCAL_IO, "cannot write '" + file + "': '" + e.getFile()
                        + "' is not a directory", "choose an --out in a directory", e);
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
            } catch (FileAlreadyExistsException e) {
                throw new ArcaException(ErrorCode.FAILURE, "'" + file + "' already exists", "choose another --out", e);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "cannot write '" + file + "': " + Main.reason(e, file),
                    "check that the directory of --out is writable and its file system has free space", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the error being reported says what went wrong
        }
    }
}
