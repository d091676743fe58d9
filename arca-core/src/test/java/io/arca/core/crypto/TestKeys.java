package io.arca.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

/** Key pairs for tests, made once per JVM: two recipients (one protected by a passphrase). */
public final class TestKeys {
    public static final char[] KEY_PASSPHRASE = "correct horse battery staple".toCharArray();
    public static final char[] REPOSITORY_PASSPHRASE = "repository passphrase ü".toCharArray();
    private static KeyGeneration.KeyPair alice;
    private static KeyGeneration.KeyPair bob;

    private TestKeys() {
    }

    /** Protected by {@link #KEY_PASSPHRASE}. */
    public static synchronized KeyGeneration.KeyPair alice() {
        if (alice == null) {
            alice = KeyGeneration.generate("Alice <alice@example.com>", KEY_PASSPHRASE, new Date());
        }
        return alice;
    }

    /** Not protected. */
    public static synchronized KeyGeneration.KeyPair bob() {
        if (bob == null) {
            bob = KeyGeneration.generate("Bob <bob@example.com>", null, new Date());
        }
        return bob;
    }

    public static EncryptionKeys to(KeyGeneration.KeyPair... pairs) {
        return EncryptionKeys.of(java.util.Arrays.stream(pairs)
                .flatMap(p -> KeyMaterial.publicKeys(bytes(p.publicKey()), p.userId()).stream()).toList(), null);
    }

    public static DecryptionKeys with(KeyGeneration.KeyPair pair, char[] keyPassphrase) {
        return DecryptionKeys.of(KeyMaterial.privateKeys(bytes(pair.privateKey()), pair.userId()), keyPassphrase, null);
    }

    public static EncryptionKeys toPassphrase() {
        return EncryptionKeys.of(List.of(), REPOSITORY_PASSPHRASE);
    }

    public static DecryptionKeys withPassphrase(char[] passphrase) {
        return DecryptionKeys.of(List.of(), null, passphrase);
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
