package io.arca.postgres.physical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;

/** The artifacts of a physical backup, by name (each file adds the codec's suffix and {@code .gpg}). */
public final class PhysicalArtifacts {
    /** Source recorded for the artifacts of a physical backup. */
    public static final String SOURCE = "postgresql.physical";
    /** The tar of the main data directory. */
    public static final String BASE = "base.tar";
    /** The server's {@code backup_manifest}. */
    public static final String MANIFEST = "backup_manifest";

    private PhysicalArtifacts() {
    }

    /**
     * The artifact {@code name} of {@code backup}.
     *
     * @throws ArcaException VERIFICATION_FAILED when the manifest lacks it
     */
    public static ArtifactRecord find(BackupManifest backup, String name) {
        return backup.artifacts().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new ArcaException(ErrorCode.VERIFICATION_FAILED, "backup " + backup.backupId()
                        + " lacks its artifact '" + name + "'", "restore another backup"));
    }

    /** The tar of the user tablespace {@code oid}. */
    public static String tablespace(long oid) {
        return oid + ".tar";
    }
}
