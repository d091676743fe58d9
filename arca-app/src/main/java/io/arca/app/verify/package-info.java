/** Being built. */
package io.arca.app.verify;
