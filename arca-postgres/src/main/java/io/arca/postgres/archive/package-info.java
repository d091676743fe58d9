/**
 * pg_dump archives as Arca reads them: the header and table of contents of custom-format
 * archives and of directory-format {@code toc.dat} files ({@link io.arca.postgres.archive.ArchiveToc}),
 * a pass-through scanner that finds where each data block of a custom-format stream starts
 * ({@link io.arca.postgres.archive.CustomArchiveScanner}), and a restore that feeds those blocks
 * to several {@code pg_restore} processes at once ({@link io.arca.postgres.archive.ArchiveRestore}),
 * with an idempotent {@code --clean} ({@link io.arca.postgres.archive.ArchiveCleaner}), and the
 * {@code pg_restore --use-list} of a table or schema restore chosen along the TOC's dependencies
 * ({@link io.arca.postgres.archive.UseList}).
 *
 * <p>The byte layout follows PostgreSQL's {@code pg_backup_archiver.c} and {@code
 * pg_backup_custom.c}: integers are a sign byte then {@code intSize} little-endian magnitude
 * bytes, strings an integer length ({@code -1} for null) then the bytes, a data block a type
 * byte ({@code 1} table data, {@code 3} large objects), the dump id, then length-prefixed chunks
 * ended by a zero length.
 */
package io.arca.postgres.archive;
