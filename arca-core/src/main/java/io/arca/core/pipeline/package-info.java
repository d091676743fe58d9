/**
 * The streaming pipeline every artifact flows through: plain bytes, SHA-256 of the plain bytes,
 * codec (zstd, gzip, lz4 frame, none), SHA-256 of the stored bytes, storage; and the reverse on
 * read. Memory stays bounded whatever the artifact size. Codecs can end a frame on request so that
 * a reader can start decoding at a recorded {@link io.arca.core.pipeline.SeekPoint}.
 */
package io.arca.core.pipeline;
