/**
 * The local filesystem store ({@code file:} URLs and plain paths): one file per key, published by
 * atomic rename or hard link after fsync.
 */
package io.arca.core.storage.local;
