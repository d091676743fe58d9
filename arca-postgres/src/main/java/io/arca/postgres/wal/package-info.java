/**
 * PostgreSQL's write-ahead log as Arca stores and streams it: value types for positions,
 * timelines and WAL file names; the WAL archive in a repository ({@code wal/<system-id>/<timeline>/},
 * {@link io.arca.postgres.wal.WalArchive}) with its coverage and retention; continuous streaming
 * into it over the replication protocol ({@link io.arca.postgres.wal.WalReceiver}, what
 * {@code arca wal-receive} and physical base backups use); and the timeline history files that say
 * which timeline holds which WAL.
 */
package io.arca.postgres.wal;
