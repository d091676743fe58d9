/**
 * Recovery objectives: is each database's newest backup recent enough (RPO), did its drills restore
 * it fast enough (RTO), and did a drill pass recently. Pure logic over manifests, drill records,
 * the objectives and the current instant, like {@link io.arca.core.repo.retention}: it reads no
 * storage, so {@code arca status} and anything else that reports objectives judge alike.
 * {@link io.arca.core.repo.status.RecoveryObjectives} says which objectives apply to a database;
 * {@link io.arca.core.repo.status.RecoveryStatus} judges them.
 */
package io.arca.core.repo.status;
