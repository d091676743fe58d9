package io.arca.core.hook;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.source.Hook;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code --health-url URL}: after the work, waits until the application answers a {@code GET} of
 * its health URL with a 2xx status, polling every {@link #DEFAULT_INTERVAL} up to a bounded
 * timeout ({@code --health-timeout}, {@link #DEFAULT_TIMEOUT} by default). Redirects are followed.
 * When the time is up it fails the command with {@link ErrorCode#HOOK_FAILED}, naming the URL and
 * the last status or error seen.
 *
 * <p>It checks only work that succeeded: after a failed restore the application's health says
 * nothing new, and waiting minutes for it would only delay the failure being reported.
 */
public final class HealthCheck implements Hook {
    /** How long to wait for a 2xx unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /** Time between polls. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** The longest one request may take before it counts as no answer. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final Duration timeout;
    private final Duration interval;

    /**
     * @throws UsageException when {@code url} is not an http or https URL, or the timeout is not positive
     */
    public HealthCheck(String url, Duration timeout) {
        this(url, timeout, DEFAULT_INTERVAL);
    }

    /** As {@link #HealthCheck(String, Duration)}, polling every {@code interval}. */
    public HealthCheck(String url, Duration timeout, Duration interval) {
        this.url = parse(url);
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--health-timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(Objects.requireNonNull(url, "url"));
        } catch (URISyntaxException e) {
            throw new UsageException("--health-url '" + url + "' is not a URL: " + e.getReason(),
                    "give the application's health URL, such as http://localhost:8080/health/ready", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new UsageException("--health-url '" + url + "' is not an http:// or https:// URL",
                    "give the application's health URL, such as http://localhost:8080/health/ready", null);
        }
        return uri;
    }

    public URI url() {
        return url;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public String describe() {
        return "health check '" + url + "'";
    }

    @Override
    public void before(Progress progress) {
    }

    @Override
    public void after(boolean succeeded, Progress progress) {
        if (!succeeded) {
            progress.note("not waiting for '" + url + "' to answer: the work failed");
            return;
        }
        progress.note("waiting up to " + Durations.describe(timeout) + " for '" + url + "' to answer 2xx");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(min(REQUEST_TIMEOUT, timeout)).build();
        String last = "no answer";
        int attempts = 0;
        while (true) {
            // each try gets at least a second, so that the last one before the deadline can still answer
            Duration requestTimeout = min(REQUEST_TIMEOUT, max(Duration.ofSeconds(1),
                    Duration.ofNanos(deadline - System.nanoTime())));
            attempts++;
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(url).timeout(requestTimeout).GET()
                        .build(), HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    progress.note("'" + url + "' answered " + status + " after "
                            + Durations.describe(Duration.ofMillis((System.nanoTime() - start) / 1_000_000)));
                    return;
                }
                last = "status " + status;
            } catch (HttpConnectTimeoutException e) {
                last = "no connection within " + Durations.describe(requestTimeout);
            } catch (HttpTimeoutException e) {
                last = "no answer within " + Durations.describe(requestTimeout);
            } catch (ConnectException e) {
                last = "connection refused" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            } catch (IOException e) {
                last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (System.nanoTime() + interval.toNanos() > deadline) {
                break;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
        throw new ArcaException(ErrorCode.HOOK_FAILED, "'" + url + "' did not answer 2xx within "
                + Durations.describe(timeout) + " (" + attempts + " tries; last: " + last + ")",
                "the work itself finished; check why the application is not healthy (its logs), "
                        + "or wait longer with --health-timeout");
    }

    private ArcaException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ArcaException(ErrorCode.INTERRUPTED, "the wait for '" + url + "' to answer was interrupted", null, e);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return describe();
    }
}
