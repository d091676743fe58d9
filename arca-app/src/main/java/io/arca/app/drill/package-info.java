/** Being built. */
package io.arca.app.drill;
