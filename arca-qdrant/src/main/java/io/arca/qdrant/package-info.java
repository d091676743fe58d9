/**
 * The Qdrant source ({@code qdrant.snapshot}): collection snapshots made, downloaded into the
 * repository as a stream, and recovered by upload, all through Qdrant's REST API with the JDK's
 * HTTP client ({@link io.arca.qdrant.QdrantSource}); see {@code docs/qdrant.md}.
 */
package io.arca.qdrant;
