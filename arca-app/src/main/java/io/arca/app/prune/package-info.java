/** Being built. */
package io.arca.app.prune;
