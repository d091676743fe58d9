package io.arca.app.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook request: {@code X-Arca-Timestamp} is the time of the attempt in Unix
 * seconds, and {@code X-Arca-Signature} is {@code sha256=} and the lowercase hex HMAC-SHA256, keyed
 * with the shared secret, of the timestamp, a dot and the raw body. Signing the timestamp lets a
 * receiver refuse a replayed request; {@link #verify} is what a Java receiver does (see
 * {@code docs/notifications.md} for other languages).
 */
public final class WebhookSignature {
    public static final String TIMESTAMP_HEADER = "X-Arca-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Arca-Signature";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {
    }

    /** The {@code X-Arca-Signature} value for {@code body} sent at {@code timestamp} (Unix seconds). */
    public static String sign(byte[] key, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /**
     * Whether a request is genuine: the signature matches (compared in constant time) and the
     * timestamp is within {@code tolerance} of {@code now}.
     */
    public static boolean verify(byte[] key, String timestampHeader, String signatureHeader, byte[] body,
            Instant now, Duration tolerance) {
        if (timestampHeader == null || signatureHeader == null || !timestampHeader.matches("\\d{1,12}")) {
            return false;
        }
        long timestamp = Long.parseLong(timestampHeader);
        if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = sign(key, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signatureHeader.getBytes(StandardCharsets.US_ASCII));
    }
}
