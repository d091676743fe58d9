/** Opening repositories for a run: storage, repository and lease together. */
package io.arca.app.repo;
