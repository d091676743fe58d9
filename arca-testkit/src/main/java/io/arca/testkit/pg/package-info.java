/**
 * PostgreSQL for tests: {@link io.arca.testkit.pg.PostgresExtension} starts a real throwaway
 * cluster per test class, {@link io.arca.testkit.pg.SampleDataset} fills a database with data
 * that exercises every tricky type and object, {@link io.arca.testkit.pg.DatabaseFingerprint}
 * captures a database's content, and {@link io.arca.testkit.pg.DatabaseAssertions} compares two
 * fingerprints (a backup restored must equal its source).
 */
package io.arca.testkit.pg;
