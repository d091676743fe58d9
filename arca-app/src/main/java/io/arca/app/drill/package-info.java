/**
 * Drill: a backup restored into a scratch target and proven (tables and row counts, migration
 * version, the user's checks, other sources' sections), its recovery time measured against the
 * RTO and its evidence kept in the repository; and the job that drills a configured subject.
 */
package io.arca.app.drill;
