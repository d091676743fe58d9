/** Test harness shared by Arca's modules: real PostgreSQL clusters, storage contract suite, sample data. */
package io.arca.testkit;
