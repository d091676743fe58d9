/**
 * The HTTP side of {@code arca server}: the API under {@code /api/v1} (backups, runs, drills,
 * status, triggers), {@code /healthz}, {@code /readyz}, {@code /metrics}, the OpenAPI description
 * ({@code /api/v1/openapi.json}) and the status page at {@code /} (see {@code docs/api.md}).
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} rather than Javalin or Jetty: the API is a
 * dozen small JSON routes behind bearer tokens, which the JDK server handles with no dependency,
 * keeping the server jar lean (Jetty and Javalin add some 3 MB and hundreds of classes to load)
 * and start-up fast (tens of milliseconds). What a framework would give, and this package writes
 * itself in a few hundred lines: routing with path parameters ({@link io.arca.server.http.Router}),
 * bounded request bodies, JSON errors, TLS from a PKCS#12 keystore.
 *
 * <p>Data is read straight from the repositories named in {@code arca.yaml}: reads need no lease
 * and no key, so the API never waits for a running backup. Triggers go to the
 * {@link io.arca.server.RunQueue}, as the scheduler's runs do.
 */
package io.arca.server.http;
