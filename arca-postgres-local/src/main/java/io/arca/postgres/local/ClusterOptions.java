package io.arca.postgres.local;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to start a {@link LocalCluster}.
 *
 * @param major the server's major version; 0 takes the newest installed (ignored when {@code
 *     binDirectory} is set)
 * @param binDirectory the directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}
 *     (zonky binaries, {@code --pg-bin}); {@code null} searches as {@link PgBinaries} does
 * @param password the superuser's password; {@code null} generates a random one
 * @param settings extra {@code postgresql.conf} settings, written in order
 * @param fastAndUnsafe {@code fsync}, {@code synchronous_commit} and {@code full_page_writes}
 *     off: faster, and a machine crash loses the cluster (fine for tests)
 * @param baseDirectory where the cluster's temporary directory goes; {@code null} is {@code
 *     java.io.tmpdir}. When the JVM runs as root it must be traversable by the {@code postgres}
 *     user, and short enough for a socket path (about 80 characters)
 * @param dataChecksums {@code initdb --data-checksums}: every data page carries a checksum
 */
public record ClusterOptions(int major, Path binDirectory, String password,
                             Map<String, String> settings, boolean fastAndUnsafe, Path baseDirectory,
                             boolean dataChecksums) {

    public ClusterOptions {
        if (major < 0) {
            throw new IllegalArgumentException("major must be 0 (newest) or a version: " + major);
        }
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** The newest installed server, random password, safe settings, in {@code java.io.tmpdir}. */
    public static ClusterOptions defaults() {
        return new ClusterOptions(0, null, null, Map.of(), false, null, false);
    }

    public ClusterOptions withMajor(int newMajor) {
        return new ClusterOptions(newMajor, binDirectory, password, settings, fastAndUnsafe, baseDirectory,
                dataChecksums);
    }

    public ClusterOptions withBinDirectory(Path dir) {
        return new ClusterOptions(major, dir, password, settings, fastAndUnsafe, baseDirectory, dataChecksums);
    }

    public ClusterOptions withPassword(String newPassword) {
        return new ClusterOptions(major, binDirectory, newPassword, settings, fastAndUnsafe, baseDirectory,
                dataChecksums);
    }

    /** These options plus one more {@code postgresql.conf} setting (replacing an earlier one). */
    public ClusterOptions withSetting(String name, String value) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put(name, value);
        return new ClusterOptions(major, binDirectory, password, s, fastAndUnsafe, baseDirectory, dataChecksums);
    }

    public ClusterOptions withFastAndUnsafe(boolean fast) {
        return new ClusterOptions(major, binDirectory, password, settings, fast, baseDirectory, dataChecksums);
    }

    public ClusterOptions withBaseDirectory(Path dir) {
        return new ClusterOptions(major, binDirectory, password, settings, fastAndUnsafe, dir, dataChecksums);
    }

    public ClusterOptions withDataChecksums(boolean on) {
        return new ClusterOptions(major, binDirectory, password, settings, fastAndUnsafe, baseDirectory, on);
    }
}
