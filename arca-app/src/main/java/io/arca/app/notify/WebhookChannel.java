package io.arca.app.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * POSTs a notice as JSON ({@code docs/notifications.md} describes the body), signed with
 * HMAC-SHA256 when a secret is set (see {@link WebhookSignature}). Headers: {@code X-Arca-Event},
 * {@code X-Arca-Delivery} (the same for every attempt of one notice), {@code X-Arca-Timestamp} and
 * {@code X-Arca-Signature} (new at each attempt).
 */
public final class WebhookChannel implements Channel {
    public static final String EVENT_HEADER = "X-Arca-Event";
    public static final String DELIVERY_HEADER = "X-Arca-Delivery";

    private final String name;
    private final URI url;
    private final byte[] key;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final List<String> secrets;

    /**
     * @param name the channel's name in logs ({@code notifications[0]})
     * @param url where to POST
     * @param key the HMAC key, or null to send unsigned
     * @param http the client
     * @param clock the time of the signature
     * @param timeout how long one attempt may take
     */
    public WebhookChannel(String name, URI url, byte[] key, HttpClient http, Clock clock, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.url = Objects.requireNonNull(url, "url");
        this.key = key == null ? null : key.clone();
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        List<String> s = new java.util.ArrayList<>(List.of(url.toString(), String.valueOf(url.getRawPath()),
                String.valueOf(url.getRawQuery())));
        if (key != null) {
            s.add(new String(key, StandardCharsets.UTF_8));
        }
        this.secrets = List.copyOf(s);
    }

    @Override
    public String describe() {
        return "webhook " + name + " (" + HttpPost.origin(url) + ")";
    }

    @Override
    public void send(Notice notice, String deliveryId) throws DeliveryException {
        byte[] body = NoticeJson.webhook(notice, deliveryId);
        HttpRequest.Builder request = HttpPost.json(url, body, timeout)
                .header(EVENT_HEADER, notice.event().eventName())
                .header(DELIVERY_HEADER, deliveryId);
        if (key != null) {
            long timestamp = clock.instant().getEpochSecond();
            request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(key, timestamp, body));
        }
        HttpPost.send(http, request.build(), describe(), clock, secrets);
    }
}
