/**
 * Qdrant for tests: {@link io.arca.testkit.qdrant.QdrantStandIn}, an HTTP stand-in for Qdrant's
 * REST API (collections, points, snapshots, uploads) checked against Qdrant's OpenAPI schema;
 * {@link io.arca.testkit.qdrant.QdrantServer#start()}, which gives a real Qdrant instead when
 * {@code ARCA_TEST_QDRANT_URL} is set; and {@link io.arca.testkit.qdrant.QdrantTestClient}, an
 * independent client that seeds and checks collections.
 */
package io.arca.testkit.qdrant;
