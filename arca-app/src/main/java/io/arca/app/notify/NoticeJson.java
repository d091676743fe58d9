package io.arca.app.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The JSON bodies: the webhook's (a stable, versioned contract, documented in
 * {@code docs/notifications.md}; every field is present, null when it does not apply) and Slack's
 * ({@code text} for notifications and old clients, {@code blocks} for the message itself).
 */
final class NoticeJson {
    /** The webhook body's {@code version}: raised only when a field changes meaning or goes away. */
    static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // Slack's limits: header text 150 characters, section text 3000, a field 2000, 10 fields.
    private static final int SLACK_HEADER = 150;
    private static final int SLACK_TEXT = 3000;
    private static final int SLACK_FIELD = 2000;

    private NoticeJson() {
    }

    static byte[] webhook(Notice n, String deliveryId) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("version", VERSION);
        o.put("id", deliveryId);
        o.put("event", n.event().eventName());
        o.put("subject", n.subject());
        o.put("job", n.job());
        o.put("runId", n.runId());
        o.put("outcome", n.outcome());
        o.put("errorCode", n.errorCode());
        o.put("exitCode", n.exitCode());
        o.put("message", n.message());
        o.put("startedAt", time(n.startedAt()));
        o.put("finishedAt", time(n.finishedAt()));
        o.put("durationSeconds", n.duration() == null ? null : n.duration().toMillis() / 1000.0);
        o.put("backupId", n.backupId());
        o.put("bytes", n.bytes());
        o.put("storedBytes", n.storedBytes());
        o.put("host", n.host());
        if (n.previous() == null) {
            o.putNull("previous");
        } else {
            ObjectNode p = o.putObject("previous");
            p.put("runId", n.previous().runId());
            p.put("outcome", n.previous().outcome());
            p.put("errorCode", n.previous().errorCode());
            p.put("message", n.previous().message());
            p.put("finishedAt", time(n.previous().finishedAt()));
        }
        ArrayNode objectives = o.putArray("objectives");
        for (ObjectiveMiss m : n.objectives()) {
            objectives.addObject().put("objective", m.objective()).put("message", m.message());
        }
        o.put("title", NoticeText.title(n));
        o.put("at", time(n.at()));
        return bytes(o);
    }

    static byte[] slack(Notice n) {
        String title = NoticeText.title(n);
        ObjectNode o = MAPPER.createObjectNode();
        o.put("text", title);
        ArrayNode blocks = o.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", cut(mark(n) + " " + title, SLACK_HEADER));
        StringBuilder text = new StringBuilder();
        if (n.event() == Notice.Event.OBJECTIVE_MISSED) {
            for (ObjectiveMiss m : n.objectives()) {
                text.append("• *").append(escape(m.objective())).append("*: ").append(escape(m.message())).append('\n');
            }
        } else if (n.message() != null) {
            text.append(escape(n.message()));
        }
        if (!text.isEmpty()) {
            ObjectNode section = blocks.addObject().put("type", "section");
            section.putObject("text").put("type", "mrkdwn").put("text", cut(text.toString().strip(), SLACK_TEXT));
        }
        ArrayNode fields = MAPPER.createArrayNode();
        for (String[] f : NoticeText.facts(n)) {
            if (fields.size() < 10) {
                fields.addObject().put("type", "mrkdwn")
                        .put("text", cut("*" + f[0] + "*\n" + escape(f[1]), SLACK_FIELD));
            }
        }
        blocks.addObject().put("type", "section").set("fields", fields);
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", "arca · " + n.event().eventName() + " · " + time(n.at()));
        return bytes(o);
    }

    private static String mark(Notice n) {
        return switch (n.event()) {
            case FAILURE, OBJECTIVE_MISSED -> "\u274c"; // cross mark
            case RECOVERY, OBJECTIVE_MET -> "\u2705"; // check mark
        };
    }

    /** Slack's mrkdwn treats these three as control characters. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return MAPPER.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
