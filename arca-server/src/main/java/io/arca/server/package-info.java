/**
 * {@code arca server}: {@link io.arca.server.ArcaServer} ties together the
 * {@link io.arca.server.ServerRunQueue} (bounded concurrency, one run per subject, each run
 * recorded), the {@link io.arca.server.Scheduler} (cron schedules with jitter, missed runs,
 * wal-receive kept running), {@link io.arca.server.LeaderElection} (a Kubernetes Lease when more
 * than one replica runs), the notifier, the metrics and the HTTP side
 * ({@link io.arca.server.http}: {@code /api/v1}, {@code /metrics}, {@code /healthz},
 * {@code /readyz}, the status page), all over the same application services as the CLI (see
 * {@code docs/server.md}). Nothing here prints: the front end passes a log.
 */
package io.arca.server;
