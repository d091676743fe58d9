package io.arca.core.repo;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.repo.BackupManifest.RequiredEncryption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository's encryption over time, to catch an edited {@code arca.json}. {@code arca.json} is
 * the only place {@code backup} learns which keys to require, and anyone who can write to the
 * repository can rewrite it; so every manifest records the requirement in force when it was
 * written ({@link BackupManifest#requiredEncryption()}), and this compares:
 *
 * <ul>
 *   <li>the repository's requirement: the one recorded by its oldest backup that records one (of
 *       this repository: copies keep their origin's {@code repositoryId} and record their origin's
 *       requirement), against {@code arca.json} now. A difference is a repository warning;
 *   <li>each backup of this repository that records a requirement: its artifacts must be
 *       encrypted as the repository's requirement says, and the requirement it records must be
 *       that one. Changing a repository's keys is not supported, so any change is flagged;
 *   <li>each backup that records none (written before Arca recorded it, or copied from another
 *       repository): its artifacts must meet {@code arca.json}'s requirement, and must not be
 *       encrypted less than the unrecorded backup before it (plaintext after backups encrypted to
 *       a key, or another key).
 * </ul>
 *
 * Messages name public key fingerprints only. Manifests are not signed: someone who rewrites
 * manifests as well as {@code arca.json} is not caught here.
 */
public final class EncryptionHistory {
    private final List<String> repositoryWarnings;
    private final Map<String, List<String>> warnings;

    private EncryptionHistory(List<String> repositoryWarnings, Map<String, List<String>> warnings) {
        this.repositoryWarnings = List.copyOf(repositoryWarnings);
        this.warnings = warnings;
    }

    /**
     * Judges {@code backups} (any order) of the repository whose {@code arca.json} is {@code config}.
     */
    public static EncryptionHistory of(RepositoryConfig config, List<BackupManifest> backups) {
        List<BackupManifest> oldestFirst = backups.stream()
                .sorted(Comparator.comparing(BackupManifest::startedAt).thenComparing(BackupManifest::backupId))
                .toList();
        RequiredEncryption current = RequiredEncryption.of(config.encryption());
        BackupManifest origin = oldestFirst.stream().filter(m -> records(config, m)).findFirst().orElse(null);
        RequiredEncryption required = origin == null ? null : origin.requiredEncryption();

        List<String> repositoryWarnings = new ArrayList<>();
        if (required != null && !required.equals(current)) {
            repositoryWarnings.add("arca.json requires " + describe(current, required) + ", but backup "
                    + origin.backupId() + " was written when it required " + describe(required, current));
        }
        Map<String, List<String>> warnings = new LinkedHashMap<>();
        BackupManifest previousUnrecorded = null;
        for (BackupManifest m : oldestFirst) {
            List<String> found = new ArrayList<>();
            if (records(config, m)) {
                if (!meets(m, required)) {
                    found.add("backup " + m.backupId() + " is " + actual(m) + ", but the repository required "
                            + describe(required, m.requiredEncryption()) + " (recorded by backup " + origin.backupId()
                            + ")");
                } else if (!m.requiredEncryption().equals(required)) {
                    found.add("backup " + m.backupId() + " was written when arca.json required "
                            + describe(m.requiredEncryption(), required) + ", not " + describe(required,
                                    m.requiredEncryption()) + " as recorded by backup " + origin.backupId());
                }
            } else {
                if (!meets(m, current)) {
                    found.add("backup " + m.backupId() + " is " + actual(m) + ", but arca.json requires "
                            + current.describe());
                } else if (previousUnrecorded != null && !meets(m, asRequirement(previousUnrecorded))) {
                    found.add("backup " + m.backupId() + " is " + actual(m) + ", but backup "
                            + previousUnrecorded.backupId() + " before it is " + actual(previousUnrecorded));
                }
                previousUnrecorded = m;
            }
            if (!found.isEmpty()) {
                warnings.put(m.backupId(), List.copyOf(found));
            }
        }
        return new EncryptionHistory(repositoryWarnings, warnings);
    }

    /** What is wrong with the repository as a whole: {@code arca.json} no longer requires what it did. */
    public List<String> repositoryWarnings() {
        return repositoryWarnings;
    }

    /** What is wrong with the encryption of one backup; empty when nothing is. */
    public List<String> warnings(BackupManifest backup) {
        return warnings.getOrDefault(backup.backupId(), List.of());
    }

    /** Whether {@code m} is of this repository and records the requirement it was written under. */
    private static boolean records(RepositoryConfig config, BackupManifest m) {
        return m.requiredEncryption() != null && config.repositoryId().equals(m.repositoryId());
    }

    /** Whether every artifact of {@code m} is encrypted as {@code required} says (to at least its keys). */
    static boolean meets(BackupManifest m, RequiredEncryption required) {
        if (!required.required()) {
            return true;
        }
        for (ArtifactRecord a : m.artifacts()) {
            ArtifactEncryption e = a.encryption();
            if (e == null || !e.recipients().containsAll(required.recipients())
                    || required.passphrase() && !e.passphrase()) {
                return false;
            }
        }
        return true;
    }

    /** The encryption a backup's artifacts have, as a requirement ({@link RequiredEncryption#NONE} if any is plain). */
    private static RequiredEncryption asRequirement(BackupManifest m) {
        List<ArtifactEncryption> all = m.artifacts().stream().map(ArtifactRecord::encryption).toList();
        if (all.isEmpty() || all.contains(null)) {
            return RequiredEncryption.NONE;
        }
        return new RequiredEncryption(all.get(0).recipients(), all.get(0).passphrase(), null);
    }

    /** {@code not encrypted}, {@code encrypted to A}, {@code encrypted with the passphrase}. */
    private static String actual(BackupManifest m) {
        List<String> plain = m.artifacts().stream().filter(a -> a.encryption() == null).map(ArtifactRecord::file)
                .toList();
        if (!plain.isEmpty()) {
            return plain.size() == m.artifacts().size() ? "not encrypted"
                    : "not encrypted in artifact '" + plain.get(0) + "'";
        }
        return asRequirement(m).describe().replaceFirst("^encryption", "encrypted");
    }

    /** {@link RequiredEncryption#describe()}, saying so where only the passphrase check tells it from {@code other}. */
    private static String describe(RequiredEncryption r, RequiredEncryption other) {
        boolean onlyCheck = other != null && !r.equals(other) && r.describe().equals(other.describe());
        return r.describe() + (onlyCheck ? " (passphrase check " + abbreviate(r.passphraseCheckSha256()) + ")" : "");
    }

    private static String abbreviate(String sha256) {
        return sha256 == null ? "none" : sha256.substring(0, Math.min(12, sha256.length()));
    }
}
