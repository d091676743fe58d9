/**
 * Retention: which backups {@code arca prune} keeps and which it removes. Pure logic over
 * manifests, incomplete folder names, a {@link io.arca.core.repo.retention.RetentionPolicy} and
 * the current instant; it reads no storage and deletes nothing, so a dry run and a real prune see
 * the same {@link io.arca.core.repo.retention.RetentionPlan}. The rules are those of restic's
 * {@code forget}, plus Arca's own: the newest backup of each database is always kept, and safety
 * backups age out on their own clock. {@link io.arca.core.repo.retention.Retention} states them.
 */
package io.arca.core.repo.retention;
