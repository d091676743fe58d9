/**
 * Status: each subject's newest backup against its RPO, what it can be recovered to, its drills
 * against the RTO and drill-within, its last runs, and its problems, judged from the repository
 * alone (manifests, drill records, run records, arca.json) with
 * {@link io.arca.core.repo.status.RecoveryStatus} as the engine. What {@code arca status}, the
 * metrics, the HTTP API and the status page all show.
 */
package io.arca.app.status;
