package io.arca.core.pipeline;

/**
 * What an artifact is: size and SHA-256 (lower-case hex) of the plain bytes and of the stored bytes.
 */
public record ArtifactDigest(long size, String sha256, long storedSize, String storedSha256) {
}
