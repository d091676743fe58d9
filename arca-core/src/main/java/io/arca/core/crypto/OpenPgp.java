package io.arca.core.crypto;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;
import org.bouncycastle.openpgp.api.OpenPGPKeyReader;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPImplementation;

/** Shared constants and helpers of the OpenPGP code. */
final class OpenPgp {
    /** AES-256, the only cipher Arca writes. */
    static final int CIPHER = SymmetricKeyAlgorithmTags.AES_256;
    static final String CIPHER_NAME = "AES-256";
    static final String INTEGRITY = "MDC";
    /**
     * Iterated and salted S2K count byte for passphrases: 0xF0 hashes 32 MiB per derivation (about
     * a tenth of a second); each process derives each salt once (see {@link CachingPbeMethod}).
     */
    static final int S2K_COUNT = 0xF0;
    /** Partial body length of Arca's messages, outer and literal packet: 64 KiB chunks. */
    static final int CHUNK = 1 << 16;

    static final OpenPGPImplementation IMPLEMENTATION = new BcOpenPGPImplementation();

    private OpenPgp() {
    }

    static OpenPGPKeyReader reader() {
        return new OpenPGPKeyReader(IMPLEMENTATION);
    }

    /** Upper-case hex fingerprint of a certificate's primary key, as {@code gpg --with-colons} prints it. */
    static String fingerprint(OpenPGPCertificate cert) {
        return HexFormat.of().formatHex(cert.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    /** Upper-case hex key id (or fingerprint) of a key identifier; {@code *} for a wildcard. */
    static String keyId(KeyIdentifier id) {
        if (id.isWildcard()) {
            return "*";
        }
        byte[] fpr = id.getFingerprint();
        if (fpr != null) {
            return HexFormat.of().formatHex(fpr).toUpperCase(Locale.ROOT);
        }
        return String.format(Locale.ROOT, "%016X", id.getKeyId());
    }

    /** The first user id of a certificate, or the empty string. */
    static String userId(OpenPGPCertificate cert) {
        return cert.getAllUserIds().stream().map(OpenPGPCertificate.OpenPGPUserId::getUserId).findFirst().orElse("");
    }

    static ArcaException keyError(String message, String hint) {
        return new ArcaException(ErrorCode.KEY, message, hint);
    }

    static ArcaException keyError(String message, String hint, Throwable cause) {
        return new ArcaException(ErrorCode.KEY, message, hint, cause);
    }

    static ArcaException corrupt(String artifact, String what, Throwable cause) {
        return new ArcaException(ErrorCode.VERIFICATION_FAILED, "artifact '" + artifact + "' is corrupt: " + what,
                "the backup cannot be trusted; restore an older backup with 'arca restore <id>'", cause);
    }
}
