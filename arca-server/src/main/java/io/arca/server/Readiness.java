package io.arca.server;

/**
 * What {@code /readyz} reports.
 *
 * @param ready whether the server serves (started, not shutting down)
 * @param leading whether this replica schedules and starts runs (always, without leader election)
 * @param leader the replica that leads as last seen (its identity), or null when unknown
 * @param detail one line for people: {@code leading}, {@code standing by: 'arca-1' leads}, {@code shutting down}
 */
public record Readiness(boolean ready, boolean leading, String leader, String detail) {
}
