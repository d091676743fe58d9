/**
 * The catalog index: copies of many small, never rewritten repository files (manifests, run
 * records, drill evidence) in a few segments under {@code catalog/}, so that listing 5,000
 * backups reads a handful of objects rather than 5,000. Rebuilt by readers from the files, never
 * trusted over them (see {@link io.arca.core.repo.catalog.ObjectIndex} and the "Catalog index"
 * section of {@code docs/repository-format.md}).
 */
package io.arca.core.repo.catalog;
