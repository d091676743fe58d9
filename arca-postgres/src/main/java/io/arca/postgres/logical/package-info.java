/**
 * Logical backups with {@code pg_dump} streaming into the repository, restores with
 * {@code pg_restore}/{@code psql} streaming out of it, and verification of logical backups.
 * Row counts are taken in the snapshot that {@code pg_dump} uses, and custom-format archives get a
 * seek point per data block so that restores can run in parallel without a local copy.
 */
package io.arca.postgres.logical;
