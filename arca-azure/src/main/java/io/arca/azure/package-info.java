/**
 * The Azure Blob Storage provider for {@code azure://container/prefix} repository URLs: one block
 * blob per key, written in parallel blocks and published by a single commit, read in ranged chunks.
 * Uses {@code azure-storage-blob} over the JDK HTTP client.
 */
package io.arca.azure;
