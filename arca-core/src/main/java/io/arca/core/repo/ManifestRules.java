package io.arca.core.repo;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a manifest must satisfy before Arca trusts it (see {@code docs/repository-format.md},
 * "Damaged backups"): a format version this Arca reads, a backup id that names the folder the
 * manifest lies in, and artifacts whose files stay inside that folder. A manifest that breaks a
 * rule makes its backup damaged: never listed, never {@code latest}, never removed by prune.
 */
final class ManifestRules {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private ManifestRules() {
    }

    /** Whether the manifest's format version is newer than this Arca reads (upgrade, rather than damage). */
    static boolean newerFormat(BackupManifest m) {
        return m.formatVersion() > BackupManifest.FORMAT_VERSION;
    }

    /**
     * The first rule {@code m}, read from {@code folder}'s manifest, breaks, as a lowercase phrase,
     * or null when it keeps them all.
     */
    static String problem(BackupManifest m, String folder) {
        if (newerFormat(m)) {
            return "manifest format " + m.formatVersion() + " is newer than this arca reads (up to "
                    + BackupManifest.FORMAT_VERSION + ")";
        }
        if (m.formatVersion() < 1) {
            return "manifest format " + m.formatVersion() + " is unknown";
        }
        if (!BackupId.isValid(m.backupId())) {
            return "manifest backup id '" + m.backupId() + "' is not a backup id";
        }
        String expected = new BackupId(m.backupId()).directory();
        if (!expected.equals(folder)) {
            return "manifest names backup '" + m.backupId() + "', which does not live in folder '" + folder + "'";
        }
        if (m.sections().isEmpty() || m.startedAt() == null || m.finishedAt() == null) {
            return "manifest lacks its sections (kind) or its start or finish time";
        }
        Set<String> files = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (ArtifactRecord a : m.artifacts()) {
            if (a == null) {
                return "manifest lists an empty artifact";
            }
            String file = a.file();
            if (!safeFile(file)) {
                return "artifact file '" + file + "' is not a path inside the backup's folder";
            }
            if (file.equals(Repository.MANIFEST_FILE)) {
                return "artifact file '" + file + "' is the manifest itself";
            }
            if (!files.add(file) || !names.add(String.valueOf(a.name()))) {
                return "artifact '" + a.name() + "' (" + file + ") is listed twice";
            }
            if (a.size() < 0 || a.storedSize() < 0) {
                return "artifact '" + file + "' has a negative size";
            }
            if (a.storedSha256() == null || !SHA256.matcher(a.storedSha256()).matches()
                    || (a.sha256() != null && !SHA256.matcher(a.sha256()).matches())) {
                return "artifact '" + file + "' has no valid sha-256";
            }
        }
        for (io.arca.core.source.Section section : m.sections()) {
            if (section == null || section.source() == null || section.source().isBlank()) {
                return "manifest lists a section without a source";
            }
            for (String artifact : section.artifacts()) {
                if (!names.contains(artifact)) {
                    return "section '" + section.source() + "' names artifact '" + artifact + "', which the manifest lacks";
                }
            }
        }
        return null;
    }

    /** A relative path of plain segments: no leading slash, no {@code .} or {@code ..}, no backslash or NUL. */
    static boolean safeFile(String file) {
        if (file == null || file.isEmpty() || file.startsWith("/") || file.indexOf('\\') >= 0 || file.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : List.of(file.split("/", -1))) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
