/**
 * The storage provider for {@code s3://bucket/prefix} repositories on Amazon S3 and S3-compatible
 * services (AWS SDK v2): {@link io.arca.s3.S3Storage}, its URL options ({@link io.arca.s3.S3Options})
 * and the translation of S3 errors and lifecycle rules into Arca's storage contract.
 */
package io.arca.s3;
