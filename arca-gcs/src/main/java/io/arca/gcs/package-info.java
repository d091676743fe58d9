/**
 * The Google Cloud Storage provider for {@code gs://bucket/prefix} repositories, built on
 * {@code google-cloud-storage} (JSON API over HTTP): {@link io.arca.gcs.GcsStorage}, its URL
 * options ({@link io.arca.gcs.GcsOptions}) and the {@link io.arca.gcs.GcsStorageProvider} that
 * {@link io.arca.core.storage.Storages} finds through {@link java.util.ServiceLoader}.
 */
package io.arca.gcs;
