/**
 * Prometheus metrics computed from repositories and their run records, so that {@code arca server}'s
 * {@code /metrics} and a one-shot {@code arca metrics --textfile FILE} (CronJob mode, node-exporter's
 * textfile collector) say the same thing: the last runs of each job and subject, the newest backup
 * and its age against the RPO, the newest restorable point (WAL included), the WAL archive, drills
 * and the measured RTO, repository bytes. {@link io.arca.app.metrics.MetricsModel} is the entry
 * point; {@link io.arca.app.metrics.Metric} lists every metric ({@code docs/metrics.md} is tested
 * against it). The alert rules in {@code deploy/prometheus/} and the dashboard in
 * {@code deploy/grafana/} use these names.
 */
package io.arca.app.metrics;
