/**
 * Local PostgreSQL: finding client and server programs by major version ({@link
 * io.arca.postgres.local.PgBinaries}), connection settings parsed from URLs, environment and
 * {@code .pgpass} ({@link io.arca.postgres.local.ConnectionSettings}), JDBC connections with
 * failures mapped to Arca error codes ({@link io.arca.postgres.local.PgConnections}), running
 * PostgreSQL programs as child processes ({@link io.arca.postgres.local.ToolProcess}) and
 * throwaway clusters for {@code arca demo}, restore drills and tests ({@link
 * io.arca.postgres.local.LocalCluster}).
 */
package io.arca.postgres.local;
