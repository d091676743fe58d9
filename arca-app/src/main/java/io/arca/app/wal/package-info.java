/**
 * WAL streaming: {@link io.arca.app.wal.WalReceiveService} streams a server's WAL into a
 * repository's WAL archive until stopped (by the caller or an interrupt) and records how it ended;
 * {@link io.arca.app.wal.WalReceiveJob} does so for a subject of {@code arca.yaml}.
 */
package io.arca.app.wal;
