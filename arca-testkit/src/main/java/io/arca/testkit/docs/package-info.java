/** The documentation's shell blocks, for tests that run them as written. */
package io.arca.testkit.docs;
