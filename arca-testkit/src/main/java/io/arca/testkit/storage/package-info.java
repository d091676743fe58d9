/** The storage contract suite every {@link io.arca.core.storage.Storage} provider must pass, and its fixtures. */
package io.arca.testkit.storage;
