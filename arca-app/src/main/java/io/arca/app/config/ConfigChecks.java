package io.arca.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.Labels;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.SourceOption;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the schema cannot check: references between sections, values with a syntax of their own,
 * and what each kind of entry needs. Values the schema already refused are not checked again, so
 * each mistake is reported once.
 */
final class ConfigChecks {
    private static final Set<String> JOBS = Set.of("backup", "physicalBackup", "verify", "drill", "prune");

    private final JsonNode root;
    private final ConfigLoader.Errors errors;
    private final Map<String, SourceOption> sourceOptions = new LinkedHashMap<>();

    ConfigChecks(JsonNode root, ConfigLoader.Errors errors, List<SourceOption> options) {
        this.root = root;
        this.errors = errors;
        for (SourceOption o : options) {
            sourceOptions.putIfAbsent(o.name().substring(2), o);
        }
    }

    void run() {
        if (root == null || !root.isObject()) {
            return;
        }
        JsonNode repositories = root.path("repositories");
        each("/repositories", repositories, this::repository);
        each("/subjects", root.path("subjects"), (pointer, subject) -> subject(pointer, subject, repositories));
        JsonNode notifications = root.path("notifications");
        if (notifications.isArray()) {
            for (int i = 0; i < notifications.size(); i++) {
                notification("/notifications/" + i, notifications.get(i));
            }
        }
        server(root.path("server"));
        duration("/runs/keep", root.path("runs").path("keep"));
    }

    private interface Member {
        void check(String pointer, JsonNode value);
    }

    private void each(String pointer, JsonNode object, Member check) {
        if (!object.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            String member = pointer + "/" + SchemaCheck.escape(e.getKey());
            if (e.getValue().isObject()) {
                check.check(member, e.getValue());
            }
        }
    }

    private void repository(String pointer, JsonNode repo) {
        text(pointer + "/url", repo, "url", url -> StorageUrl.parse(url));
        exclusive(pointer, repo, "passphraseFile", "passphraseEnv");
    }

    private void subject(String pointer, JsonNode subject, JsonNode repositories) {
        JsonNode names = subject.path("repositories");
        if (names.isArray() && !errors.has(pointer + "/repositories")) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i).asText();
                if (!repositories.has(name)) {
                    errors.add(pointer + "/repositories/" + i, "no repository named '" + name + "'"
                            + (repositories.isObject() && repositories.size() > 0 ? "; repositories: " + String.join(", ", keys(repositories))
                                    : "; define it under repositories"));
                }
            }
        }
        text(pointer + "/database", subject, "database", url -> database(url, "passwordEnv, PGPASSWORD or ~/.pgpass"));
        JsonNode sources = subject.path("sources");
        if (!subject.hasNonNull("database") && (!sources.isObject() || sources.isEmpty()) && !errors.has(pointer + "/database")
                && !errors.has(pointer + "/sources")) {
            errors.add(pointer, "nothing to back up: give a database, sources, or both");
        }
        sources(pointer + "/sources", sources);
        JsonNode backup = subject.path("backup");
        text(pointer + "/backup/compression", backup, "compression", CodecSpec::parse);
        if (backup.path("jobs").asInt(1) > 1 && !backup.path("format").asText("custom").equals("directory")
                && !errors.has(pointer + "/backup/jobs")) {
            errors.add(pointer + "/backup/jobs", "jobs above 1 need format: directory (pg_dump dumps in parallel only then)");
        }
        JsonNode labels = backup.path("labels");
        if (labels.isObject() && !errors.has(pointer + "/backup/labels")) {
            Map<String, String> values = new LinkedHashMap<>();
            labels.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
            if (values.containsKey("subject")) {
                errors.addAtKey(pointer + "/backup/labels/subject", "the label 'subject' is set from the subject's name;"
                        + " leave it out");
            } else {
                guard(pointer + "/backup/labels", () -> Labels.checkUserLabels(values));
            }
        }
        schedules(pointer + "/schedules", subject.path("schedules"), subject);
        JsonNode objectives = subject.path("objectives");
        for (String o : List.of("rpo", "rto", "drillWithin")) {
            JsonNode value = objectives.path(o);
            if (!value.asText().equals("none")) {
                duration(pointer + "/objectives/" + o, value);
            }
        }
        duration(pointer + "/retention/keepWithin", subject.path("retention").path("keepWithin"));
        text(pointer + "/drill/server", subject.path("drill"), "server", url -> database(url, "a password file or PGPASSWORD"));
    }

    private void sources(String pointer, JsonNode sources) {
        if (!sources.isObject() || errors.has(pointer)) {
            return;
        }
        sources.properties().forEach(e -> {
            String member = pointer + "/" + SchemaCheck.escape(e.getKey());
            SourceOption option = sourceOptions.get(e.getKey());
            JsonNode v = e.getValue();
            if (option == null) {
                errors.addAtKey(member, "unknown source option '" + e.getKey() + "'" + (sourceOptions.isEmpty()
                        ? "; no sources are installed" : "; known: " + String.join(", ", sourceOptions.keySet())));
            } else if (option.isFlag() && !v.isBoolean()) {
                errors.add(member, "'" + e.getKey() + "' is a flag: true or false");
            } else if (!option.isFlag() && v.isBoolean()) {
                errors.add(member, "'" + e.getKey() + "' takes a value (" + option.paramLabel() + "), not true or false");
            } else if (v.isArray() && !option.repeatable()) {
                errors.add(member, "'" + e.getKey() + "' takes one value (" + option.paramLabel() + "), not a list");
            }
        });
    }

    private void schedules(String pointer, JsonNode schedules, JsonNode subject) {
        if (!schedules.isObject() || errors.has(pointer + "/timezone") && schedules.size() == 1) {
            return;
        }
        ZoneId zone = CronSchedule.DEFAULT_ZONE;
        JsonNode timezone = schedules.path("timezone");
        if (timezone.isTextual() && !errors.has(pointer + "/timezone")) {
            try {
                zone = CronSchedule.zone(timezone.asText());
            } catch (IllegalArgumentException e) {
                errors.add(pointer + "/timezone", e.getMessage());
            }
        }
        ZoneId in = zone;
        for (String job : JOBS) {
            JsonNode cron = schedules.path(job);
            if (cron.isTextual() && !errors.has(pointer + "/" + job)) {
                guard(pointer + "/" + job, () -> CronSchedule.of(cron.asText(), in));
            }
        }
        boolean database = subject.hasNonNull("database");
        for (String job : List.of("physicalBackup", "drill")) {
            if (schedules.hasNonNull(job) && !database && !errors.has(pointer + "/" + job)) {
                errors.add(pointer + "/" + job, job + " needs the subject's database");
            }
        }
        if (schedules.path("walReceive").asBoolean(false) && !database) {
            errors.add(pointer + "/walReceive", "walReceive needs the subject's database");
        }
    }

    private void notification(String pointer, JsonNode n) {
        if (!n.isObject() || errors.has(pointer + "/type") || !n.path("type").isTextual()) {
            return;
        }
        String type = n.path("type").asText();
        List<String> allowed = switch (type) {
            case "webhook" -> List.of("type", "url", "urlEnv", "secretEnv", "secretFile", "on");
            case "slack" -> List.of("type", "url", "urlEnv", "on");
            default -> List.of("type", "smtp", "from", "to", "on");
        };
        n.fieldNames().forEachRemaining(field -> {
            if (!allowed.contains(field) && !errors.has(pointer + "/" + field)) {
                errors.addAtKey(pointer + "/" + field, "'" + field + "' does not apply to " + type
                        + " notifications (they take " + String.join(", ", allowed.subList(1, allowed.size())) + ")");
            }
        });
        if (type.equals("webhook") || type.equals("slack")) {
            if (!n.has("url") && !n.has("urlEnv")) {
                errors.add(pointer + "/url", pointer, type + " needs url or urlEnv", true);
            }
            exclusive(pointer, n, "url", "urlEnv");
            exclusive(pointer, n, "secretEnv", "secretFile");
            text(pointer + "/url", n, "url", ConfigChecks::httpUrl);
        } else {
            for (String field : List.of("smtp", "from", "to")) {
                if (!n.has(field)) {
                    errors.add(pointer + "/" + field, pointer, "email needs " + field, true);
                }
            }
            JsonNode smtp = n.path("smtp");
            if (smtp.isObject()) {
                exclusive(pointer + "/smtp", smtp, "passwordEnv", "passwordFile");
                if (smtp.has("username") && !smtp.has("passwordEnv") && !smtp.has("passwordFile")
                        && !errors.has(pointer + "/smtp/username")) {
                    errors.add(pointer + "/smtp/username", "a username needs passwordEnv or passwordFile");
                }
            }
            text(pointer + "/from", n, "from", ConfigChecks::address);
            JsonNode to = n.path("to");
            if (to.isArray() && !errors.has(pointer + "/to")) {
                for (int i = 0; i < to.size(); i++) {
                    String at = pointer + "/to/" + i;
                    String value = to.get(i).asText();
                    guard(at, () -> address(value));
                }
            }
        }
    }

    private void server(JsonNode server) {
        if (!server.isObject()) {
            return;
        }
        text("/server/listen", server, "listen", ListenAddress::parse);
        duration("/server/jitter", server.path("jitter"));
        duration("/server/shutdownGrace", server.path("shutdownGrace"));
    }

    // a checked value with a syntax of its own, reported at pointer unless the schema already did
    private void text(String pointer, JsonNode parent, String field, Consumer<String> check) {
        JsonNode value = parent.path(field);
        if (value.isTextual() && !errors.has(pointer)) {
            guard(pointer, () -> check.accept(value.asText()));
        }
    }

    private void duration(String pointer, JsonNode value) {
        if (value.isTextual() && !errors.has(pointer)) {
            guard(pointer, () -> DurationText.parse(value.asText()));
        }
    }

    private void guard(String pointer, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException | io.arca.core.error.ArcaException e) {
            errors.add(pointer, firstLine(e.getMessage()));
        }
    }

    private void exclusive(String pointer, JsonNode node, String a, String b) {
        if (node.has(a) && node.has(b) && !errors.has(pointer + "/" + b)) {
            errors.addAtKey(pointer + "/" + b, "give " + a + " or " + b + ", not both");
        }
    }

    // a PostgreSQL URL that names no password: secrets come from the environment or files
    private static void database(String url, String passwordFrom) {
        // an empty environment and no password file: only what the URL itself holds
        ConnectionSettings settings = ConnectionSettings.parse(url, Map.of("PGPASSFILE", "/nonexistent/arca-config-check"));
        if (settings.password() != null) {
            throw new IllegalArgumentException("the URL holds a password: leave it out and give it through "
                    + passwordFrom + " (secrets never go into arca.yaml)");
        }
    }

    private static void httpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("'" + text + "' is not an http or https URL");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
    }

    // user@host, or Name <user@host>
    private static void address(String text) {
        String address = text.trim();
        int open = address.lastIndexOf('<');
        if (open >= 0 && address.endsWith(">")) {
            address = address.substring(open + 1, address.length() - 1);
        }
        if (!address.matches("[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an email address (user@example.com or"
                    + " Name <user@example.com>)");
        }
    }

    private static List<String> keys(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
