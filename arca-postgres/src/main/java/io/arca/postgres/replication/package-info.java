/**
 * A small client for PostgreSQL's streaming-replication protocol, enough to run {@code
 * IDENTIFY_SYSTEM}, {@code TIMELINE_HISTORY} and {@code BASE_BACKUP} and stream the base
 * backup's tar archives and manifest straight from the socket.
 *
 * <p>It exists because pgjdbc cannot run {@code BASE_BACKUP}: the driver's replication API only
 * streams WAL ({@code START_REPLICATION}), while a base backup answers with result sets
 * followed by COPY OUT data that pgjdbc has no way to hand out. Running {@code pg_basebackup}
 * instead would need a client binary of a fitting major version and a local copy of the backup;
 * this client speaks protocol 3.0 itself (startup, TLS, trust/password/md5/SCRAM-SHA-256
 * authentication) and supports servers 13 and newer, whose two {@code BASE_BACKUP} dialects it
 * hides behind one {@link io.arca.postgres.replication.BaseBackup} API.
 */
package io.arca.postgres.replication;
