/**
 * The PostgreSQL sections of manifest format 2: their typed details ({@link
 * io.arca.postgres.manifest.PostgresSection}) and the two kinds of PostgreSQL backup.
 */
package io.arca.postgres.manifest;
