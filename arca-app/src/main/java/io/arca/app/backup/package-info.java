/**
 * Backups: {@link io.arca.app.backup.BackupService} takes one (logical with further sources, or
 * physical) into the first of its repositories and copies it into the others, leases held and
 * encryption checked in every repository before anything is dumped; {@link
 * io.arca.app.backup.BackupJob} builds its request from a subject of {@code arca.yaml}.
 */
package io.arca.app.backup;
