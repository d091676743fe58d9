package io.arca.core.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.bcpg.S2K;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;

/**
 * What artifacts can be decrypted with: private keys (unlocked when loaded, so a wrong key
 * passphrase fails before any work starts) and/or the repository passphrase. Thread-safe.
 */
public final class DecryptionKeys {
    private final List<OpenPGPKey> keys;
    /** Unlocked private keys by key id of the (sub)key. */
    private final Map<Long, PGPPrivateKey> privateKeys = new LinkedHashMap<>();
    private final char[] passphrase;
    private final CachingPbeFactory passphraseFactory;

    private DecryptionKeys(List<OpenPGPKey> keys, char[] keyPassphrase, char[] passphrase) {
        this.keys = List.copyOf(keys);
        this.passphrase = passphrase == null ? null : passphrase.clone();
        this.passphraseFactory = passphrase == null ? null : new CachingPbeFactory(this.passphrase);
        for (OpenPGPKey key : this.keys) {
            boolean any = false;
            for (OpenPGPKey.OpenPGPSecretKey secret : key.getSecretKeys().values()) {
                if (secret.getPublicKey().isEncryptionKey()
                        && !secret.getPGPSecretKey().isPrivateKeyEmpty()) {
                    privateKeys.put(secret.getPGPSecretKey().getKeyID(), unlock(key, secret, keyPassphrase));
                    any = true;
                }
            }
            if (!any) {
                throw OpenPgp.keyError("private key " + OpenPgp.fingerprint(key) + " holds no secret encryption key",
                        "give the key that backups are encrypted to (for gpg keys: 'gpg --export-secret-keys', not"
                                + " '--export-secret-subkeys' of a signing subkey only)");
            }
        }
        if (this.keys.isEmpty() && passphrase == null) {
            throw new IllegalArgumentException("no private key and no passphrase");
        }
    }

    /**
     * Private keys (from {@link KeyMaterial#privateKeys}) unlocked with {@code keyPassphrase} where
     * protected (null when none is needed), and/or the repository passphrase (null for none).
     */
    public static DecryptionKeys of(List<OpenPGPKey> keys, char[] keyPassphrase, char[] passphrase) {
        return new DecryptionKeys(keys, keyPassphrase, passphrase);
    }

    private static PGPPrivateKey unlock(OpenPGPKey key, OpenPGPKey.OpenPGPSecretKey secret, char[] keyPassphrase) {
        String fpr = OpenPgp.fingerprint(key);
        try {
            if (!secret.isLocked()) {
                return secret.unlock().getKeyPair().getPrivateKey();
            }
            if (keyPassphrase == null) {
                throw OpenPgp.keyError("private key " + fpr + " is protected by a passphrase and none was given",
                        "give it with --private-key-passphrase-file FILE or ARCA_PRIVATE_KEY_PASSPHRASE");
            }
            if (!secret.isPassphraseCorrect(keyPassphrase)) {
                throw OpenPgp.keyError("wrong passphrase for private key " + fpr,
                        "check --private-key-passphrase-file / ARCA_PRIVATE_KEY_PASSPHRASE");
            }
            return secret.unlock(keyPassphrase).getKeyPair().getPrivateKey();
        } catch (PGPException e) {
            throw OpenPgp.keyError("cannot unlock private key " + fpr + ": " + e.getMessage(),
                    "check the key and its passphrase", e);
        }
    }

    /** Fingerprints of the private keys' primary keys. */
    public List<String> fingerprints() {
        return keys.stream().map(OpenPgp::fingerprint).toList();
    }

    public boolean hasPassphrase() {
        return passphrase != null;
    }

    /**
     * Keys to encrypt to with what is at hand: the public halves of the private keys, and the
     * passphrase. For backups taken in passing (the safety backup before a restore --clean).
     */
    public EncryptionKeys encryptionKeys() {
        List<OpenPGPCertificate> certs = new ArrayList<>();
        keys.forEach(k -> certs.add(k.toCertificate()));
        return EncryptionKeys.of(certs, passphrase);
    }

    /** Whether the passphrase is the one {@code check} was made with (see {@link PassphraseCheck}). */
    public boolean passphraseMatches(String check, String repositoryId) {
        return passphrase != null && PassphraseCheck.matches(check, passphrase, repositoryId);
    }

    /** A recovered session key and the packet it opens. */
    record Session(PGPEncryptedData data, PGPSessionKey key, boolean passphrase) {
    }

    /**
     * Finds a way into a message: a public-key packet for one of the private keys first (their
     * session keys carry a checksum, so a match is certain), then the passphrase. A passphrase
     * session key is only checked once data is decrypted (the quick check): callers report a
     * failure there as a wrong passphrase.
     *
     * @throws io.arca.core.error.ArcaException KEY, naming the keys the message needs
     */
    Session open(PGPEncryptedDataList list, String artifact, ArtifactEncryption expected) {
        List<String> keyIds = new ArrayList<>();
        boolean passphraseWay = false;
        Exception failure = null;
        for (PGPEncryptedData data : list) {
            if (data instanceof PGPPublicKeyEncryptedData pk) {
                KeyIdentifier id = pk.getKeyIdentifier();
                keyIds.add(OpenPgp.keyId(id));
                for (Map.Entry<Long, PGPPrivateKey> e : privateKeys.entrySet()) {
                    if (!id.isWildcard() && id.getKeyId() != e.getKey()) {
                        continue;
                    }
                    try {
                        return new Session(pk, pk.getSessionKey(new BcPublicKeyDataDecryptorFactory(e.getValue())), false);
                    } catch (PGPException | RuntimeException ex) {
                        failure = ex;
                    }
                }
            } else if (data instanceof PGPPBEEncryptedData) {
                passphraseWay = true;
            }
        }
        if (passphraseWay && passphraseFactory != null) {
            for (PGPEncryptedData data : list) {
                if (data instanceof PGPPBEEncryptedData pbe) {
                    PGPSessionKey key;
                    try {
                        key = pbe.getSessionKey(passphraseFactory);
                    } catch (PGPException | RuntimeException ex) {
                        throw wrongPassphrase(artifact, ex);
                    }
                    if (key.getKey().length != keyLength(key.getAlgorithm())) {
                        // a wrong passphrase decrypts the session key to noise
                        throw wrongPassphrase(artifact, null);
                    }
                    return new Session(pbe, key, true);
                }
            }
        }
        throw noKey(artifact, expected, keyIds, passphraseWay, failure);
    }

    /** Key length in bytes of an OpenPGP symmetric algorithm; 0 for unknown ones. */
    private static int keyLength(int algorithm) {
        return switch (algorithm) {
            case SymmetricKeyAlgorithmTags.AES_128, SymmetricKeyAlgorithmTags.CAST5, SymmetricKeyAlgorithmTags.BLOWFISH,
                    SymmetricKeyAlgorithmTags.IDEA, SymmetricKeyAlgorithmTags.CAMELLIA_128 -> 16;
            case SymmetricKeyAlgorithmTags.AES_192, SymmetricKeyAlgorithmTags.TRIPLE_DES,
                    SymmetricKeyAlgorithmTags.CAMELLIA_192 -> 24;
            case SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.TWOFISH,
                    SymmetricKeyAlgorithmTags.CAMELLIA_256 -> 32;
            default -> 0;
        };
    }

    static RuntimeException wrongPassphrase(String artifact, Exception cause) {
        return OpenPgp.keyError("the passphrase does not decrypt '" + artifact + "'",
                "check --passphrase-file / ARCA_PASSPHRASE: it must be the repository's passphrase", cause);
    }

    private RuntimeException noKey(String artifact, ArtifactEncryption expected, List<String> keyIds,
            boolean passphraseWay, Exception cause) {
        String needs;
        if (expected != null && !expected.needs().isEmpty()) {
            needs = expected.needs();
        } else {
            List<String> ways = new ArrayList<>();
            if (!keyIds.isEmpty()) {
                ways.add("the private key of key id " + String.join(", ", keyIds));
            }
            if (passphraseWay) {
                ways.add("a passphrase");
            }
            needs = ways.isEmpty() ? "a way in that this message does not offer" : String.join(" or ", ways);
        }
        StringBuilder given = new StringBuilder();
        if (!keys.isEmpty()) {
            given.append("private key ").append(String.join(", ", fingerprints()));
        }
        if (passphrase != null) {
            given.append(given.length() > 0 ? " and " : "").append("a passphrase");
        }
        return OpenPgp.keyError("cannot decrypt '" + artifact + "': it needs " + needs + "; given: " + given,
                "give the matching key with --private-key FILE (or ARCA_PRIVATE_KEY)"
                        + (passphraseWay ? ", or the passphrase with --passphrase-file FILE (or ARCA_PASSPHRASE)" : ""),
                cause);
    }

    /** Wipes the passphrase from memory. */
    public void destroy() {
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }

    /** A passphrase decryptor that derives each S2K once per process. */
    static final class CachingPbeFactory extends BcPBEDataDecryptorFactory {
        private final Map<String, byte[]> derived = new HashMap<>();

        CachingPbeFactory(char[] passphrase) {
            super(passphrase, new BcPGPDigestCalculatorProvider());
        }

        @Override
        public byte[] makeKeyFromPassPhrase(int keyAlgorithm, S2K s2k) throws PGPException {
            String id = keyAlgorithm + ":" + s2k.getType() + ":" + s2k.getHashAlgorithm() + ":"
                    + (s2k.getIV() == null ? "" : java.util.HexFormat.of().formatHex(s2k.getIV())) + ":"
                    + s2k.getIterationCount();
            synchronized (derived) {
                byte[] key = derived.get(id);
                if (key == null) {
                    key = super.makeKeyFromPassPhrase(keyAlgorithm, s2k);
                    derived.put(id, key);
                }
                return key.clone();
            }
        }
    }
}
