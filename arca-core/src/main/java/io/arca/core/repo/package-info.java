/**
 * Repository format v1 (see {@code docs/repository-format.md}): {@code arca.json}, backup ids,
 * manifests (the commit marker of a backup, written last), artifact keys and the catalog of
 * complete backups. Everything goes through {@link io.arca.core.storage.Storage}.
 */
package io.arca.core.repo;
