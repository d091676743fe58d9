/**
 * What a backup is taken from, in terms every part of Arca shares: a {@link
 * io.arca.core.source.Subject} (what was backed up, as a URI), a {@link
 * io.arca.core.source.Section} (one source's part of a manifest: its typed details and its
 * artifacts), and the {@link io.arca.core.source.BackupSource} SPI through which further sources
 * (Kubernetes objects, files, Qdrant snapshots) take part in backup, restore, verify and drill.
 * Sources are found with {@link java.util.ServiceLoader}, like storage providers: a new source is
 * one module and one {@code META-INF/services/io.arca.core.source.BackupSource} line.
 */
package io.arca.core.source;
