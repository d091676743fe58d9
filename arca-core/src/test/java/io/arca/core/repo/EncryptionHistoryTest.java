package io.arca.core.repo;


import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.crypto.ArtifactEncryption;
import io.arca.core.repo.BackupManifest.RequiredEncryption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptionHistoryTest {
    private static final String REPO = "repo-1";
    private static final String X = "AAAA1111";
    private static final String Y = "BBBB2222";
    private static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");
    private static final RequiredEncryption TO_X = new RequiredEncryption(List.of(X), false, null);
    private static final RequiredEncryption TO_Y = new RequiredEncryption(List.of(Y), false, null);

    @Test
    void backupsAsRequiredFromTheStartHaveNothingToFlag() {
        List<BackupManifest> backups = List.of(backup(0, REPO, TO_X, X), backup(1, REPO, TO_X, X));

        EncryptionHistory h = EncryptionHistory.of(config(X), backups);

        assertThat(h.repositoryWarnings()).isEmpty();
        assertThat(backups).allSatisfy(b -> assertThat(h.warnings(b)).isEmpty());
    }

    @Test
    void aDroppedRequirementFlagsArcaJsonAndThePlaintextBackup() {
        BackupManifest first = backup(0, REPO, TO_X, X);
        BackupManifest plain = backup(1, REPO, RequiredEncryption.NONE);

        EncryptionHistory h = EncryptionHistory.of(config(null), List.of(plain, first));

        assertThat(h.repositoryWarnings()).containsExactly("arca.json requires no encryption, but backup "
                + first.backupId() + " was written when it required encryption to " + X);
        assertThat(h.warnings(first)).isEmpty();
        assertThat(h.warnings(plain)).containsExactly("backup " + plain.backupId() + " is not encrypted, but the"
                + " repository required encryption to " + X + " (recorded by backup " + first.backupId() + ")");
    }

    @Test
    void aRequirementChangedWhileKeysStillMeetTheOldOneIsFlagged() {
        BackupManifest first = backup(0, REPO, TO_X, X);
        RequiredEncryption both = new RequiredEncryption(List.of(X, Y), false, null);
        BackupManifest wider = backup(1, REPO, both, X, Y);

        EncryptionHistory h = EncryptionHistory.of(config(X), List.of(first, wider));

        assertThat(h.repositoryWarnings()).isEmpty();
        assertThat(h.warnings(wider)).singleElement().asString().contains("was written when arca.json required"
                + " encryption to " + X + ", " + Y + ", not encryption to " + X);
    }

    @Test
    void unrecordedBackupsAreJudgedByArcaJsonAndByTheOneBeforeThem() {
        BackupManifest old = backup(0, REPO, null, X);
        BackupManifest foreignKey = backup(1, REPO, null, Y);
        BackupManifest copied = backup(2, "another-repo", TO_Y, Y);

        EncryptionHistory none = EncryptionHistory.of(config(null), List.of(old, foreignKey));
        assertThat(none.warnings(foreignKey)).containsExactly("backup " + foreignKey.backupId() + " is encrypted to "
                + Y + ", but backup " + old.backupId() + " before it is encrypted to " + X);

        EncryptionHistory requiresX = EncryptionHistory.of(config(X), List.of(old, copied));
        assertThat(requiresX.repositoryWarnings()).as("a copy's record is its origin's").isEmpty();
        assertThat(requiresX.warnings(copied)).containsExactly("backup " + copied.backupId() + " is encrypted to " + Y
                + ", but arca.json requires encryption to " + X);
    }

    @Test
    void aSwappedPassphraseCheckIsARequirementChange() {
        RepositoryConfig original = new RepositoryConfig(1, REPO, T0, null,
                new RepositoryConfig.Encryption("AES-256", List.of(), "check-one"));
        RepositoryConfig swapped = new RepositoryConfig(1, REPO, T0, null,
                new RepositoryConfig.Encryption("AES-256", List.of(), "check-two"));
        BackupManifest first = backup(0, REPO, RequiredEncryption.of(original.encryption()), new String[0], true);

        EncryptionHistory h = EncryptionHistory.of(swapped, List.of(first));

        assertThat(h.repositoryWarnings()).singleElement().asString()
                .startsWith("arca.json requires encryption with the passphrase (passphrase check ")
                .contains("but backup " + first.backupId() + " was written when it required encryption with the"
                        + " passphrase (passphrase check ");
    }

    private static RepositoryConfig config(String fingerprint) {
        return new RepositoryConfig(1, REPO, T0, null, fingerprint == null ? null
                : new RepositoryConfig.Encryption("AES-256", List.of(new RepositoryConfig.Recipient(fingerprint, "ops")),
                        null));
    }

    private static BackupManifest backup(int hour, String repositoryId, RequiredEncryption required,
            String... recipients) {
        return backup(hour, repositoryId, required, recipients == null ? new String[0] : recipients, false);
    }

    private static BackupManifest backup(int hour, String repositoryId, RequiredEncryption required,
            String[] recipients, boolean passphrase) {
        Instant start = T0.plusSeconds(3600L * hour);
        boolean encrypted = passphrase || recipients.length > 0;
        ArtifactEncryption e = encrypted
                ? new ArtifactEncryption("openpgp", "AES-256", "MDC", List.of(recipients), passphrase, 65536) : null;
        ArtifactRecord artifact = new ArtifactRecord("app.dump", "postgresql.logical", "pg_dump-custom",
                "app.dump.zst" + (encrypted ? ".gpg" : ""), 10, "00", 10, "00",
                encrypted ? List.of("zstd:3", "openpgp") : List.of("zstd:3"), List.of(), e);
        String id = String.format("202612%02dT%02d0000Z-0000000%d", 1 + hour / 24, hour % 24, hour);
        return TestManifests.manifest(TestManifests.LOGICAL, id, repositoryId, null, false, start, start.plusSeconds(60),
                Map.of(), List.of(artifact), required);
    }
}
