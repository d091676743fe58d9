/** Being built. */
package io.arca.app.wal;
