/**
 * The catalog index suite: {@link io.arca.testkit.catalog.CatalogIndexSuite} checks, against a
 * real store, that listings read through the catalog index always show what the repository's
 * files hold. Each store's tests extend it.
 */
package io.arca.testkit.catalog;
