package io.arca.core.pipeline;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.SeekableMessage;
import java.util.Objects;

/**
 * How to read through one encrypted artifact: the keys, what the manifest says about its
 * encryption, and, for reads from seek points, its message layout (null when only whole reads
 * are planned).
 */
public record Decryption(DecryptionKeys keys, ArtifactEncryption expected, SeekableMessage message) {
    public Decryption {
        Objects.requireNonNull(keys, "keys");
    }
}
