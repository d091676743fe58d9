/** Being built. */
package io.arca.app.backup;
