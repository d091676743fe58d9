/**
 * The storage contract ({@link io.arca.core.storage.Storage}), its value types and errors, the
 * provider lookup by URL, the local filesystem provider and the retry wrapper.
 */
package io.arca.core.storage;
