/**
 * Test support for other modules (exported in the {@code arca-gcs} test-jar): an in-memory Google
 * Cloud Storage shared per JVM ({@link io.arca.gcs.testing.LocalGcs}) and a provider that serves
 * {@code gs://} URLs from it ({@link io.arca.gcs.testing.LocalGcsStorageProvider}).
 */
package io.arca.gcs.testing;
