/** Arca's source-agnostic core: errors, storage, the streaming pipeline and the repository format. */
package io.arca.core;
