package io.arca.core.crypto;

import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.operator.bc.BcPBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * A passphrase method (SKESK) that derives its key once: BouncyCastle keeps the salt of the first
 * use, and this keeps the derived key, so the artifacts of one backup share one salt and one
 * derivation. Each artifact still gets its own random session key (the generator is used with
 * {@code setForceSessionKey(true)}), encrypted under the derived key.
 */
final class CachingPbeMethod extends BcPBEKeyEncryptionMethodGenerator {
    private byte[] key;
    private int keyAlgorithm = -1;

    CachingPbeMethod(char[] passphrase) {
        super(passphrase, digest(), OpenPgp.S2K_COUNT);
    }

    private static org.bouncycastle.openpgp.operator.PGPDigestCalculator digest() {
        try {
            return new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256);
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized byte[] getKey(int encAlgorithm) throws PGPException {
        if (key == null || keyAlgorithm != encAlgorithm) {
            key = super.getKey(encAlgorithm);
            keyAlgorithm = encAlgorithm;
        }
        return key.clone();
    }
}
