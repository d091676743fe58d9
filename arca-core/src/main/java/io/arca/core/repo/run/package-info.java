/**
 * Job history in the repository: one small, never rewritten record per run of backup, verify,
 * drill, prune, copy or wal-receive ({@code runs/YYYY/MM/DD/<run-id>.json}), whichever host or
 * front end (CLI, a Kubernetes CronJob, {@code arca server}) ran it, so that status, metrics and
 * notifications see the same history. See {@code docs/repository-format.md}.
 */
package io.arca.core.repo.run;
