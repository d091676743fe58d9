/** The Azure Blob Storage emulator (Azurite) as a test server for provider and end-to-end tests. */
package io.arca.testkit.azure;
