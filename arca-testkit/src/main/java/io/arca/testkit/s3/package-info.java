/**
 * An S3-compatible server for tests and benchmarks: s3proxy running inside the JVM on a loopback
 * port, with SigV4 authentication and a filesystem backend ({@link io.arca.testkit.s3.S3Server}).
 */
package io.arca.testkit.s3;
