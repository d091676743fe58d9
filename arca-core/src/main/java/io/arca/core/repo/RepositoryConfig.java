package io.arca.core.repo;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of {@code arca.json}: the repository's format version, its id, when it was made,
 * defaults for backups written into it, and the encryption every backup must have (null: none
 * required).
 */
public record RepositoryConfig(int formatVersion, String repositoryId, Instant createdAt, Defaults defaults,
        Encryption encryption) {
    /** The repository format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Defaults that apply when a command does not say otherwise.
     *
     * @param compression codec of new backups, such as {@code zstd:3}
     * @param retention the repository's retention policy for {@code arca prune}, as settings named
     *     like the flags ({@code keep-daily: "7"}, {@code keep-within: "36h"}); null or empty when
     *     none is saved
     * @param objectives recovery objectives by database name, {@code *} for every database; null
     *     when none are saved
     */
    public record Defaults(String compression, Map<String, String> retention, Map<String, Objectives> objectives) {
        public Defaults {
            retention = retention == null ? null : Collections.unmodifiableMap(new TreeMap<>(retention));
            objectives = objectives == null ? null : Collections.unmodifiableMap(new TreeMap<>(objectives));
        }

        public Defaults(String compression, Map<String, String> retention) {
            this(compression, retention, null);
        }

        public Defaults(String compression) {
            this(compression, null, null);
        }

        public Defaults withRetention(Map<String, String> settings) {
            return new Defaults(compression, settings, objectives);
        }

        public Defaults withObjectives(Map<String, Objectives> newObjectives) {
            return new Defaults(compression, retention, newObjectives);
        }
    }

    /**
     * Recovery objectives of a database, as durations like the flags take them ({@code 24h},
     * {@code 4h}, {@code 7d}); each may be null (not set).
     *
     * @param rpo the newest backup may be at most this old
     * @param rto a drill's measured recovery time may be at most this long
     * @param drillWithin a drill must have passed at most this long ago
     */
    public record Objectives(String rpo, String rto, String drillWithin) {
    }

    public RepositoryConfig withDefaults(Defaults newDefaults) {
        return new RepositoryConfig(formatVersion, repositoryId, createdAt, newDefaults, encryption);
    }

    /**
     * The encryption a repository requires of every backup: to all of {@code recipients}, and with
     * the passphrase when {@code passphraseCheck} is set.
     *
     * @param cipher the cipher backups use, {@code AES-256}
     * @param recipients the public keys every artifact is encrypted to
     * @param passphraseCheck base64 OpenPGP message encrypted with the repository's passphrase
     *     (see {@link io.arca.core.crypto.PassphraseCheck}); null when no passphrase is used
     */
    public record Encryption(String cipher, List<Recipient> recipients, String passphraseCheck) {
        public Encryption {
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
        }

        public boolean passphrase() {
            return passphraseCheck != null;
        }

        public List<String> fingerprints() {
            return recipients.stream().map(Recipient::fingerprint).toList();
        }
    }

    /** A public key backups are encrypted to: its primary key fingerprint and first user id. */
    public record Recipient(String fingerprint, String userId) {
    }
}
