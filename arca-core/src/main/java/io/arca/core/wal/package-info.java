/**
 * PostgreSQL's write-ahead log as Arca stores it: value types for positions, timelines and WAL
 * file names, and the WAL archive in a repository ({@code wal/<system-id>/<timeline>/}).
 */
package io.arca.core.wal;
