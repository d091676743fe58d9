/** The job history: run records listed and filtered, for {@code arca runs} and the HTTP API. */
package io.arca.app.runs;
