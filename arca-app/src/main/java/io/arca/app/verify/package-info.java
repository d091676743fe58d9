/**
 * Verify: backups checked without restoring them (sizes, digests, codecs, archive structure, row
 * counts, WAL, other sources' sections, encryption), in each repository that holds them; and the
 * job that verifies a configured subject's newest backup.
 */
package io.arca.app.verify;
