package io.arca.postgres.physical;

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

    /** The tar of the user tablespace {@code oid}. */
    public static String tablespace(long oid) {
        return oid + ".tar";
    }
}
