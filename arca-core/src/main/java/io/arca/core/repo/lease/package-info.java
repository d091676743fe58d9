/**
 * Leases in a repository's {@code locks/} folder, which keep prune from racing backups and other
 * prunes on every store, using only the storage contract's if-absent writes. See {@link Leases}.
 */
package io.arca.core.repo.lease;
