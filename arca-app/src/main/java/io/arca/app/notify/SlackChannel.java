package io.arca.app.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * POSTs a notice to a Slack incoming webhook: {@code text} (the one-line title, what Slack shows in
 * its notifications) and {@code blocks} (a header, the message, the facts as fields). The URL is
 * a secret (its path is the token): it never appears in a message.
 */
public final class SlackChannel implements Channel {
    private final String name;
    private final URI url;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;

    public SlackChannel(String name, URI url, HttpClient http, Clock clock, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.url = Objects.requireNonNull(url, "url");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String describe() {
        return "slack " + name + " (" + HttpPost.origin(url) + ")";
    }

    @Override
    public void send(Notice notice, String deliveryId) throws DeliveryException {
        HttpPost.send(http, HttpPost.json(url, NoticeJson.slack(notice), timeout).build(), describe(), clock,
                List.of(url.toString(), url.getRawPath()));
    }
}
