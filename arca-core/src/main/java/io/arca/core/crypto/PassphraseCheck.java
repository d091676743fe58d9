package io.arca.core.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * A small OpenPGP message encrypted with a repository's passphrase and kept in {@code arca.json},
 * so that a backup with a mistyped passphrase is refused before anything is written with it
 * (a backup encrypted with a passphrase nobody knows is lost).
 */
public final class PassphraseCheck {
    private PassphraseCheck() {
    }

    /** The check for {@code passphrase}, as base64, binding it to the repository id. */
    public static String create(char[] passphrase, String repositoryId) {
        EncryptionKeys keys = EncryptionKeys.of(List.of(), passphrase);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (OutputStream out = keys.open(buf, "arca-passphrase-check", new Date(0))) {
            out.write(content(repositoryId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            keys.destroy();
        }
        return Base64.getEncoder().encodeToString(buf.toByteArray());
    }

    /**
     * Whether {@code passphrase} opens {@code check} of repository {@code repositoryId}.
     *
     * @throws io.arca.core.error.ArcaException VERIFICATION_FAILED when the check itself is damaged
     */
    public static boolean matches(String check, char[] passphrase, String repositoryId) {
        DecryptionKeys keys = DecryptionKeys.of(List.of(), null, passphrase);
        byte[] message = Base64.getDecoder().decode(check);
        try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(message), keys, "arca.json", null)) {
            return java.util.Arrays.equals(in.readAllBytes(), content(repositoryId));
        } catch (io.arca.core.error.ArcaException e) {
            if (e.code() == io.arca.core.error.ErrorCode.KEY) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            keys.destroy();
        }
    }

    private static byte[] content(String repositoryId) {
        return ("arca repository " + repositoryId).getBytes(StandardCharsets.UTF_8);
    }
}
