package io.arca.core.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code manifest.json}: the description and commit marker of one backup. It is written last; a
 * backup folder without one is incomplete and never listed as restorable.
 *
 * <p>Format 2 is source-neutral: one {@link Section} per source that took part (a PostgreSQL
 * database, a Kubernetes namespace, files, a Qdrant collection), each with its subject, its
 * artifacts and its own typed details. Format 1 manifests (one PostgreSQL database, {@code kind},
 * {@code database}, {@code physical}) are read as format 2 by {@link ManifestFormat}; nothing ever
 * rewrites them.
 *
 * @param formatVersion manifest format version ({@link #FORMAT_VERSION} when written by this Arca)
 * @param backupId the backup's id (JSON {@code id}; {@code backupId} in format 1)
 * @param repositoryId the id of the repository it was written to
 * @param subjects what was backed up: the subjects of the sections, each once
 * @param startedAt when the backup started
 * @param finishedAt when the manifest was written
 * @param labels free-form labels; {@code purpose=safety} marks safety backups taken before restores
 * @param tools versions of the programs involved ({@code arca}, {@code pg_dump}, ...)
 * @param sections one per source (and subject) that took part
 * @param artifacts what the backup holds
 * @param parents the backups this one builds on (incremental chains); empty for a self-contained backup
 * @param timings named phase durations in milliseconds
 * @param requiredEncryption the encryption {@code arca.json} required when the manifest was written
 *     (see {@link EncryptionHistory}); null in manifests written before Arca recorded it
 */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"formatVersion", "id", "repositoryId", "subjects", "startedAt",
        "finishedAt", "labels", "tools", "sections", "artifacts", "parents", "timings", "requiredEncryption"})
public record BackupManifest(int formatVersion, @JsonProperty("id") String backupId, String repositoryId,
        List<Subject> subjects, Instant startedAt, Instant finishedAt, Map<String, String> labels,
        Map<String, String> tools, List<Section> sections, List<ArtifactRecord> artifacts, List<String> parents,
        Map<String, Long> timings, RequiredEncryption requiredEncryption) {
    /** The manifest format this Arca writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 2;
    /** The label that marks safety backups (taken before a restore replaced a database). */
    public static final String PURPOSE_LABEL = "purpose";
    /** {@link #PURPOSE_LABEL}'s value on safety backups. */
    public static final String SAFETY = "safety";

    public BackupManifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        sections = sections == null ? List.of() : List.copyOf(sections);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        parents = parents == null ? List.of() : List.copyOf(parents);
        timings = timings == null ? Map.of() : Map.copyOf(timings);
        if (subjects == null || subjects.isEmpty()) {
            subjects = sections.stream().map(Section::subject).filter(java.util.Objects::nonNull).distinct().toList();
        } else {
            subjects = List.copyOf(subjects);
        }
    }

    /** A new manifest's content, for {@link Repository.PendingBackup#commit(Builder)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether the backup holds the whole of each subject: no section is {@linkplain Section#partial()
     * partial}. Only full backups become {@code latest} of a full restore and count for an RPO.
     */
    public boolean full() {
        return sections.stream().noneMatch(Section::partial);
    }

    /** The opposite of {@link #full()}: some section holds only part of its subject (table or schema filters). */
    public boolean partial() {
        return !full();
    }

    /** Whether this is a safety backup, taken before a restore replaced a database (never {@code latest}). */
    public boolean safety() {
        return SAFETY.equals(labels.get(PURPOSE_LABEL));
    }

    /** The first section written by source {@code id}. */
    public Optional<Section> section(String id) {
        return sections.stream().filter(s -> s.source().equals(id)).findFirst();
    }

    /** Whether a section of source {@code id} is in this backup. */
    public boolean has(String id) {
        return section(id).isPresent();
    }

    /** The artifacts a section holds, in manifest order. */
    public List<ArtifactRecord> artifactsOf(Section section) {
        return artifacts.stream().filter(a -> section.artifacts().contains(a.name())).toList();
    }

    /**
     * The series this backup belongs to, for retention: its sources and their subjects'
     * {@linkplain Subject#identity() identities}, sorted (a backup of a database and a namespace
     * together is one series; the database alone another).
     */
    public String series() {
        return sections.stream().map(s -> s.source() + "@" + (s.subject() == null ? "" : s.subject().identity()))
                .sorted().distinct().collect(java.util.stream.Collectors.joining(" "));
    }

    public BackupId id() {
        return new BackupId(backupId);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /** Plain bytes over all artifacts. */
    public long size() {
        return artifacts.stream().mapToLong(ArtifactRecord::size).sum();
    }

    /** Stored bytes over all artifacts. */
    public long storedSize() {
        return artifacts.stream().mapToLong(ArtifactRecord::storedSize).sum();
    }

    /**
     * The content of a manifest being built; {@link Repository.PendingBackup#commit(Builder)} adds
     * the id, repository, times and encryption requirement.
     */
    public static final class Builder {
        private final Map<String, String> labels = new java.util.LinkedHashMap<>();
        private final Map<String, String> tools = new java.util.LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();
        private final List<ArtifactRecord> artifacts = new ArrayList<>();
        private final List<String> parents = new ArrayList<>();
        private final Map<String, Long> timings = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        public Builder labels(Map<String, String> values) {
            labels.putAll(values);
            return this;
        }

        public Builder tool(String name, String version) {
            tools.put(name, version);
            return this;
        }

        public Builder tools(Map<String, String> values) {
            tools.putAll(values);
            return this;
        }

        public Builder timing(String name, long millis) {
            timings.put(name, millis);
            return this;
        }

        public Builder timings(Map<String, Long> values) {
            timings.putAll(values);
            return this;
        }

        /** Adds one source's part: its section, artifacts, tools and timings. */
        public Builder part(BackupPart part) {
            sections.add(part.section());
            artifacts.addAll(part.artifacts());
            tools.putAll(part.tools());
            timings.putAll(part.timings());
            return this;
        }

        public Builder parent(String backupId) {
            parents.add(backupId);
            return this;
        }

        BackupManifest build(String id, String repositoryId, Instant startedAt, Instant finishedAt,
                RequiredEncryption encryption) {
            return new BackupManifest(FORMAT_VERSION, id, repositoryId, null, startedAt, finishedAt, labels, tools,
                    sections, artifacts, parents, timings, encryption);
        }
    }

    /**
     * What {@code arca.json} required of every backup's encryption when a manifest was written. Names
     * public key fingerprints only; {@link #passphraseCheckSha256} is the SHA-256 of the repository's
     * passphrase check message (itself public in {@code arca.json}), so that a swapped passphrase shows.
     *
     * @param recipients the fingerprints every artifact had to be encrypted to
     * @param passphrase whether every artifact had to be encrypted with the repository's passphrase
     * @param passphraseCheckSha256 hex SHA-256 of the passphrase check, or null without a passphrase
     */
    public record RequiredEncryption(List<String> recipients, boolean passphrase, String passphraseCheckSha256) {
        /** No encryption required. */
        public static final RequiredEncryption NONE = new RequiredEncryption(List.of(), false, null);

        public RequiredEncryption {
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
        }

        /** The requirement of {@code arca.json}'s encryption section (null: none required). */
        public static RequiredEncryption of(RepositoryConfig.Encryption encryption) {
            if (encryption == null) {
                return NONE;
            }
            String check = null;
            if (encryption.passphraseCheck() != null) {
                java.security.MessageDigest digest = io.arca.core.pipeline.Sha256.newDigest();
                digest.update(encryption.passphraseCheck().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                check = io.arca.core.pipeline.Sha256.hex(digest);
            }
            return new RequiredEncryption(encryption.fingerprints(), encryption.passphrase(), check);
        }

        /** Whether anything is required. */
        public boolean required() {
            return !recipients.isEmpty() || passphrase;
        }

        /** For messages: {@code no encryption}, {@code encryption to A, B and the passphrase}. */
        public String describe() {
            if (!required()) {
                return "no encryption";
            }
            String to = recipients.isEmpty() ? "" : "to " + String.join(", ", recipients);
            return "encryption " + to + (passphrase ? (to.isEmpty() ? "" : " and ") + "with the passphrase" : "");
        }
    }

}
