/**
 * The storage contract ({@link io.arca.core.storage.Storage}), its value types and errors, the
 * provider lookup by URL and the retry wrapper; the local filesystem provider is in
 * {@code io.arca.core.storage.local}.
 */
package io.arca.core.storage;
