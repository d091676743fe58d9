/**
 * What a repository holds, for every front end: backups with their subjects, damaged and
 * incomplete ones, and the recovery windows of physical backups with their WAL archive.
 */
package io.arca.app.catalog;
