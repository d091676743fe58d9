package io.arca.core.crypto;

import java.util.List;

/**
 * How one artifact is encrypted, as recorded in the manifest. Readable without any key, so that
 * listing, retention and metrics need none, and so that a failed decryption can name the keys
 * the artifact needs.
 *
 * @param format always {@code openpgp}: an OpenPGP message ({@code gpg --decrypt} reads it)
 * @param cipher the symmetric cipher, {@code AES-256}
 * @param integrity {@code MDC} (symmetrically encrypted integrity-protected data, version 1)
 * @param recipients fingerprints of the primary keys whose private keys can decrypt it
 * @param passphrase whether the repository's passphrase can decrypt it
 * @param chunkSize the partial body chunk size of both packet layers when Arca wrote the message
 *     (then it can be decrypted from any offset, see {@link SeekableMessage}); 0 for a message from
 *     another tool, which is read from its start
 */
public record ArtifactEncryption(String format, String cipher, String integrity, List<String> recipients,
        boolean passphrase, int chunkSize) {
    public static final String FORMAT = "openpgp";

    public ArtifactEncryption {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** What a reader needs, for messages: the recipients' fingerprints, and/or "the passphrase". */
    public String needs() {
        StringBuilder sb = new StringBuilder();
        if (!recipients.isEmpty()) {
            sb.append(recipients.size() == 1 ? "the private key of " : "a private key of ")
                    .append(String.join(", ", recipients));
        }
        if (passphrase) {
            sb.append(sb.length() > 0 ? " or " : "").append("the repository passphrase");
        }
        return sb.toString();
    }
}
