package io.arca.postgres.physical;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A file checksum as a PostgreSQL {@code backup_manifest} records it ({@code
 * Checksum-Algorithm}: {@code CRC32C}, {@code SHA224}, {@code SHA256}, {@code SHA384}, {@code
 * SHA512} or {@code NONE}), computed incrementally.
 *
 * <p>CRC-32C byte order: PostgreSQL's {@code pg_checksum_final} copies the finished {@code
 * uint32} out of memory, so the manifest shows its bytes in the machine's (little-endian) order,
 * not the number in hexadecimal: {@code "15\n"} has CRC-32C {@code 0x2247748A} and the manifest
 * says {@code "8a744722"}. This class prints it the same way (checked against real manifests in
 * the tests). The SHA-2 variants are the plain digest in hexadecimal.
 *
 * <p>Not thread-safe; one instance per file.
 */
public final class ManifestChecksum {
    /** The algorithm names PostgreSQL writes, in upper case. */
    public static final List<String> ALGORITHMS = List.of("CRC32C", "SHA224", "SHA256", "SHA384", "SHA512", "NONE");

    private final String algorithm;
    private final CRC32C crc;
    private final MessageDigest digest;

    private ManifestChecksum(String algorithm, CRC32C crc, MessageDigest digest) {
        this.algorithm = algorithm;
        this.crc = crc;
        this.digest = digest;
    }

    /**
     * A new checksum for {@code algorithm}, in any case (PostgreSQL's parser also ignores case).
     *
     * @throws IllegalArgumentException for an algorithm PostgreSQL does not define
     */
    public static ManifestChecksum of(String algorithm) {
        String a = algorithm == null ? "" : algorithm.toUpperCase(Locale.ROOT);
        return switch (a) {
            case "CRC32C" -> new ManifestChecksum(a, new CRC32C(), null);
            case "SHA224" -> new ManifestChecksum(a, null, sha("SHA-224"));
            case "SHA256" -> new ManifestChecksum(a, null, sha("SHA-256"));
            case "SHA384" -> new ManifestChecksum(a, null, sha("SHA-384"));
            case "SHA512" -> new ManifestChecksum(a, null, sha("SHA-512"));
            case "NONE" -> new ManifestChecksum(a, null, null);
            default -> throw new IllegalArgumentException("unknown manifest checksum algorithm '" + algorithm
                    + "': expected one of " + String.join(", ", ALGORITHMS));
        };
    }

    /** Whether {@code algorithm} is one PostgreSQL defines (any case). */
    public static boolean isKnown(String algorithm) {
        return algorithm != null && ALGORITHMS.contains(algorithm.toUpperCase(Locale.ROOT));
    }

    /** The algorithm's name as the manifest writes it ({@code CRC32C}, {@code SHA256}, ...). */
    public String algorithm() {
        return algorithm;
    }

    public void update(byte[] b, int off, int len) {
        if (crc != null) {
            crc.update(b, off, len);
        } else if (digest != null) {
            digest.update(b, off, len);
        }
    }

    /**
     * The checksum so far, in lowercase hexadecimal as the manifest prints it; {@code null} for
     * {@code NONE} (the manifest then has no {@code Checksum}). Ends the computation for the SHA
     * algorithms: call once.
     */
    public String hex() {
        if (crc != null) {
            int v = (int) crc.getValue();
            // little-endian bytes of the uint32, see the class comment
            return HexFormat.of().formatHex(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
        }
        if (digest != null) {
            return HexFormat.of().formatHex(digest.digest());
        }
        return null;
    }

    private static MessageDigest sha(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is not available in this JVM", e);
        }
    }
}
