/**
 * The application layer: what {@code arca} commands and {@code arca server} both run. Services
 * take typed requests and return typed results (one JSON mapper renders them for
 * {@code --output json} and for HTTP), report structured {@link io.arca.app.event.JobEvent}s
 * instead of text, and record every run in the repository's job history. Nothing here prints or
 * exits; the console, the server's log, metrics and notifications are listeners.
 */
package io.arca.app;
