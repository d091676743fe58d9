package io.arca.core.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKey;

/**
 * Reads keys and passphrases, from files or from the contents of environment variables (never
 * from command-line values, which other users can see in the process list). Every error names
 * where the bad input came from ({@code origin}: a file path or a variable name) and exits 12.
 */
public final class KeyMaterial {
    private static final String KEY_FORMS = "an armored or binary OpenPGP key, as 'arca key generate' or 'gpg --export' writes";

    private KeyMaterial() {
    }

    /** The bytes of a key or passphrase file. */
    public static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw OpenPgp.keyError("key file '" + file + "' does not exist", "check the path");
        } catch (IOException e) {
            throw OpenPgp.keyError("cannot read key file '" + file + "': " + e.getMessage(), "check the path and its permissions", e);
        }
    }

    /**
     * Public keys (certificates) to encrypt to. Refuses private keys: a backup job should never
     * hold one, and a repository encrypted to keys whose private halves sit beside it protects nothing.
     */
    public static List<OpenPGPCertificate> publicKeys(byte[] data, String origin) {
        List<OpenPGPCertificate> certs = parse(data, origin);
        for (OpenPGPCertificate cert : certs) {
            if (cert.isSecretKey()) {
                throw OpenPgp.keyError("'" + origin + "' holds a private key (" + OpenPgp.fingerprint(cert)
                        + "), where a public key is needed", "give the public key ('arca key generate' writes it as"
                        + " <name>.pub.asc; 'gpg --armor --export <id>' exports one); keep the private key away from backup jobs");
            }
            if (cert.getEncryptionKeys().isEmpty()) {
                throw OpenPgp.keyError("public key " + OpenPgp.fingerprint(cert) + " in '" + origin
                        + "' has no valid encryption key (expired, revoked, or made for signing only)",
                        "use a key with an encryption subkey, such as one from 'arca key generate'");
            }
        }
        return certs;
    }

    /** Private keys to decrypt with (still locked when protected by a passphrase). */
    public static List<OpenPGPKey> privateKeys(byte[] data, String origin) {
        List<OpenPGPCertificate> certs = parse(data, origin);
        for (OpenPGPCertificate cert : certs) {
            if (!cert.isSecretKey()) {
                throw OpenPgp.keyError("'" + origin + "' holds only the public key " + OpenPgp.fingerprint(cert)
                        + ", where a private key is needed", "give the private key ('arca key generate' writes it as"
                        + " <name>.key.asc; 'gpg --armor --export-secret-keys <id>' exports one)");
            }
        }
        return certs.stream().map(c -> (OpenPGPKey) c).toList();
    }

    private static List<OpenPGPCertificate> parse(byte[] data, String origin) {
        List<OpenPGPCertificate> certs;
        try {
            certs = OpenPgp.reader().parseKeysOrCertificates(data);
        } catch (IOException | RuntimeException e) {
            throw notAKey(origin, e);
        }
        if (certs.isEmpty()) {
            throw notAKey(origin, null);
        }
        return certs;
    }

    private static RuntimeException notAKey(String origin, Exception cause) {
        return OpenPgp.keyError("'" + origin + "' is not an OpenPGP key", "give " + KEY_FORMS, cause);
    }

    /**
     * A passphrase: UTF-8, without one trailing line break (files written with {@code echo} end with
     * one). Refuses an empty passphrase. The caller should wipe {@code data}.
     */
    public static char[] passphrase(byte[] data, String origin) {
        int end = data.length;
        if (end > 0 && data[end - 1] == '\n') {
            end--;
            if (end > 0 && data[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0) {
            throw OpenPgp.keyError("the passphrase in '" + origin + "' is empty", "put the passphrase in it");
        }
        CharBuffer chars;
        try {
            chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, 0, end));
        } catch (CharacterCodingException e) {
            throw OpenPgp.keyError("the passphrase in '" + origin + "' is not UTF-8 text", "write it as UTF-8");
        }
        char[] out = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
        Arrays.fill(chars.array(), '\0');
        return out;
    }
}
