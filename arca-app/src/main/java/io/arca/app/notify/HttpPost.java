package io.arca.app.notify;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * One POST of a notice and what its answer means: 2xx delivered; 429 and 5xx, timeouts and
 * connection failures retryable (with the receiver's {@code Retry-After}); every other status,
 * redirects included, permanent. Only the start of a reply's body is read: it goes into the error.
 */
final class HttpPost {
    private static final int BODY_EXCERPT = 200;

    private HttpPost() {
    }

    /** Where a URL points, for messages: scheme, host and port, never its path or query (tokens live there). */
    static String origin(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    static void send(HttpClient http, HttpRequest request, String what, Clock clock, List<String> secrets)
            throws DeliveryException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw DeliveryException.retryable(what + " did not answer in time");
        } catch (IOException e) {
            throw DeliveryException.retryable(what + " could not be reached: " + Secrets.scrub(describe(e), secrets));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryException.permanent(what + ": stopped while sending");
        }
        int status = response.statusCode();
        String body = Secrets.scrub(excerpt(response.body()), secrets);
        if (status >= 200 && status < 300) {
            return;
        }
        String answer = what + " answered " + status + (body.isEmpty() ? "" : ": " + body);
        if (status == 429 || status >= 500) {
            throw DeliveryException.retryable(answer, retryAfter(response, clock).orElse(null));
        }
        throw DeliveryException.permanent(answer);
    }

    /** The exception's type and message, as a connection failure usually says nothing more. */
    private static String describe(IOException e) {
        String m = e.getMessage();
        String type = e.getClass().getSimpleName();
        return m == null || m.isBlank() ? type : type + ": " + Secrets.excerpt(m, BODY_EXCERPT);
    }

    private static String excerpt(InputStream in) {
        try (in) {
            return Secrets.excerpt(new String(in.readNBytes(4 * BODY_EXCERPT), StandardCharsets.UTF_8), BODY_EXCERPT);
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code Retry-After} as seconds or as an HTTP date, if present and sensible. */
    static Optional<Duration> retryAfter(HttpResponse<?> response, Clock clock) {
        Optional<String> v = response.headers().firstValue("Retry-After").map(String::strip);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String s = v.get();
        if (s.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(s)));
        }
        try {
            Duration d = Duration.between(clock.instant(),
                    ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Optional.empty() : Optional.of(d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A JSON POST with Arca's user agent and the timeout. */
    static HttpRequest.Builder json(URI url, byte[] body, Duration timeout) {
        return HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "arca/" + io.arca.core.ArcaVersion.get())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
}
