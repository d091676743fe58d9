/**
 * The streaming pipeline every artifact flows through: plain bytes, SHA-256 of the plain bytes,
 * codec (zstd, gzip, lz4 frame, none), SHA-256 of the stored bytes, storage
 * ({@link io.arca.core.pipeline.ArtifactOutput}); and the reverse on read, checked against the
 * manifest's sizes and digests ({@link io.arca.core.pipeline.ArtifactInput}). Stored bytes are the
 * codec's standard container (concatenated zstd frames, gzip members or lz4 frames), so
 * {@code zstd -d}, {@code gzip -d} and {@code lz4 -d} restore them by hand. Memory stays bounded
 * whatever the artifact size. Codecs can end a frame on request so that a reader can start decoding
 * at a recorded {@link io.arca.core.pipeline.SeekPoint}.
 */
package io.arca.core.pipeline;
