/**
 * Prune: {@link io.arca.app.prune.PruneService} applies retention to a repository (backups,
 * incomplete folders, the WAL no kept physical backup needs, old run records) under its exclusive
 * lease; {@link io.arca.app.prune.PruneJob} does so for a subject of {@code arca.yaml} in each of its
 * repositories.
 */
package io.arca.app.prune;
