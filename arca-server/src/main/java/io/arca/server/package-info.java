/**
 * {@code arca server}: the scheduler that runs each subject's jobs on its cron schedules, the HTTP
 * API ({@code /api/v1}), {@code /metrics}, {@code /healthz}, {@code /readyz} and the status page,
 * all over the same application services as the CLI (see {@code docs/server.md}).
 */
package io.arca.server;
