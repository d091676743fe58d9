/**
 * What a backup is taken from, in terms every part of Arca shares: a {@link
 * io.arca.core.source.Subject} (what was backed up, as a URI), a {@link
 * io.arca.core.source.Section} (one source's part of a manifest: its typed details and its
 * artifacts), and the {@link io.arca.core.source.BackupSource} SPI through which further sources
 * (Kubernetes objects, files, Qdrant snapshots) take part in backup, restore, verify and drill.
 * Sources are found with {@link java.util.ServiceLoader}, like storage providers: a new source is
 * one module and one {@code META-INF/services/io.arca.core.source.BackupSource} line.
 *
 * <p>The two PostgreSQL sources ({@code postgresql.logical}, {@code postgresql.physical}) write
 * sections of this shape (read by {@code io.arca.postgres.manifest.PostgresSection}) but are not
 * {@code BackupSource}s: their many options, leases, safety backups and WAL belong to the
 * commands today, and the application layer (the next structural step) is where they become
 * sources like the others. Until then a logical backup joins the others through
 * {@link io.arca.core.source.CompositeBackup}, and a physical backup stands alone.
 */
package io.arca.core.source;
