/** Structured events of a run (started, artifact stored, committed, failed, finished) and their listeners. */
package io.arca.app.event;
