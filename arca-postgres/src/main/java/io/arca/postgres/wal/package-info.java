/**
 * Continuous WAL streaming into a repository's WAL archive over PostgreSQL's replication
 * protocol ({@link io.arca.postgres.wal.WalReceiver}, what {@code arca wal-receive} and physical
 * base backups use), and the timeline history files that say which timeline holds which WAL.
 */
package io.arca.postgres.wal;
