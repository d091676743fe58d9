/**
 * Notifications: a {@link io.arca.app.notify.Notifier} listens to runs and to objective checks and
 * tells people when a run fails, when a job and subject recover, and when a subject starts or stops
 * missing its objectives; {@link io.arca.app.notify.Channel}s deliver a
 * {@link io.arca.app.notify.Notice} by webhook (HMAC-signed JSON), Slack incoming webhook or email
 * (SMTP with STARTTLS and AUTH), retried with bounded backoff off the job's thread. A notification
 * never fails or slows a run: what finally cannot be sent is logged, never thrown. See
 * {@code docs/notifications.md}.
 */
package io.arca.app.notify;
