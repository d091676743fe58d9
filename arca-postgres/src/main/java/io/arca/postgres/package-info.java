/** Arca's PostgreSQL engine: logical backup, restore and verification. */
package io.arca.postgres;
