package io.arca.app.notify;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.UsageException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Builds the channels of {@code arca.yaml}'s {@code notifications}, reading their secrets (URLs
 * from {@code urlEnv}, HMAC keys, SMTP passwords) from the environment or files. Each entry is
 * named {@code notifications[i]} in errors and logs; a secret never appears in either.
 */
public final class Channels {
    private Channels() {
    }

    /**
     * The routes of {@code entries}.
     *
     * @param entries the {@code notifications} of {@code arca.yaml} (null: none)
     * @param env the environment secrets are read from
     * @param http the HTTP client of webhooks (asked only when there is one)
     * @param tls the TLS context of SMTP connections
     * @param clock signatures' and messages' time
     * @param timeout how long one attempt may take
     * @throws UsageException when an entry is incomplete or names a secret that cannot be read
     */
    public static List<Route> routes(List<ArcaConfig.Notification> entries, Map<String, String> env,
            Supplier<HttpClient> http, SSLContext tls, Clock clock, Duration timeout) {
        List<Route> routes = new ArrayList<>();
        if (entries == null) {
            return routes;
        }
        for (int i = 0; i < entries.size(); i++) {
            ArcaConfig.Notification n = entries.get(i);
            String where = "notifications[" + i + "]";
            if (n == null || n.type() == null) {
                throw new UsageException(where + ": type is missing",
                        "set type to webhook, slack or email in arca.yaml", null);
            }
            String type = n.type().toLowerCase(Locale.ROOT);
            String named = where + " (" + type + ")";
            Channel channel = switch (type) {
                case "webhook" -> new WebhookChannel(where, url(named, n, env), secret(named, n, env), http.get(),
                        clock, timeout);
                case "slack" -> new SlackChannel(where, url(named, n, env), http.get(), clock, timeout);
                case "email" -> email(where, named, n, env, tls, clock, timeout);
                default -> throw new UsageException(where + ": unknown type '" + n.type() + "'",
                        "use webhook, slack or email", null);
            };
            routes.add(new Route(channel, on(named, n.on())));
        }
        return routes;
    }

    private static Set<Notice.Category> on(String named, List<String> on) {
        Set<Notice.Category> set = EnumSet.noneOf(Notice.Category.class);
        if (on == null) {
            return set;
        }
        for (String name : on) {
            Notice.Category found = null;
            for (Notice.Category c : Notice.Category.values()) {
                if (c.configName().equals(name)) {
                    found = c;
                }
            }
            if (found == null) {
                throw new UsageException(named + ": unknown event '" + name + "' in on",
                        "use failure, recovery or objective (or leave on out for all three)", null);
            }
            set.add(found);
        }
        return set;
    }

    private static URI url(String named, ArcaConfig.Notification n, Map<String, String> env) {
        String text;
        if (n.url() != null && n.urlEnv() != null) {
            throw new UsageException(named + ": both url and urlEnv are set", "keep one of them", null);
        } else if (n.url() != null) {
            text = n.url();
        } else if (n.urlEnv() != null) {
            text = env.get(n.urlEnv());
            if (text == null || text.isBlank()) {
                throw new UsageException(named + ": environment variable '" + n.urlEnv() + "' (urlEnv) is not set",
                        "set it in the environment arca runs in, or give the url in arca.yaml", null);
            }
            text = text.strip();
        } else {
            throw new UsageException(named + ": url is missing", "set url, or urlEnv to read it from the environment",
                    null);
        }
        try {
            URI url = new URI(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below, without the URL: it may hold a token
        }
        throw new UsageException(named + ": the url is not an http or https URL",
                "give the full URL, such as https://hooks.example.com/arca", null);
    }

    /** The webhook's HMAC key, or null when none is set (the requests are then not signed). */
    private static byte[] secret(String named, ArcaConfig.Notification n, Map<String, String> env) {
        String secret = secretOf(named, "secretEnv", n.secretEnv(), "secretFile", n.secretFile(), env);
        return secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    private static Channel email(String where, String named, ArcaConfig.Notification n, Map<String, String> env,
            SSLContext tls, Clock clock, Duration timeout) {
        ArcaConfig.Smtp smtp = n.smtp();
        if (smtp == null || smtp.host() == null || smtp.host().isBlank()) {
            throw new UsageException(named + ": smtp.host is missing", "name the SMTP server in smtp.host", null);
        }
        int port = smtp.port() == null ? 587 : smtp.port();
        if (port < 1 || port > 65535) {
            throw new UsageException(named + ": smtp.port " + port + " is not a port", "use 587 (submission)", null);
        }
        EmailChannel.StartTls startTls;
        try {
            startTls = smtp.starttls() == null ? EmailChannel.StartTls.REQUIRED
                    : EmailChannel.StartTls.of(smtp.starttls().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(named + ": unknown smtp.starttls '" + smtp.starttls() + "'",
                    "use required (the default), optional or off", null);
        }
        String password = secretOf(named, "smtp.passwordEnv", smtp.passwordEnv(), "smtp.passwordFile",
                smtp.passwordFile(), env);
        if (smtp.username() != null && password == null) {
            throw new UsageException(named + ": smtp.username is set but no password",
                    "set smtp.passwordEnv or smtp.passwordFile", null);
        }
        if (smtp.username() == null && password != null) {
            throw new UsageException(named + ": a password is set but no smtp.username", "set smtp.username", null);
        }
        if (n.from() == null) {
            throw new UsageException(named + ": from is missing", "set from to the sender's address", null);
        }
        if (n.to() == null || n.to().isEmpty()) {
            throw new UsageException(named + ": to is missing", "list the recipients in to", null);
        }
        List<InternetAddress> to = new ArrayList<>();
        for (String address : n.to()) {
            to.add(address(named, "to", address));
        }
        return new EmailChannel(where, smtp.host(), port, startTls, smtp.username(), password,
                address(named, "from", n.from()), to, tls, clock, timeout);
    }

    private static InternetAddress address(String named, String field, String address) {
        try {
            InternetAddress a = new InternetAddress(address, true);
            a.validate();
            return a;
        } catch (AddressException e) {
            throw new UsageException(named + ": '" + address + "' in " + field + " is not an email address",
                    "write it as name@example.com", null);
        }
    }

    /** A secret from the environment variable or the file named; null when neither is named. */
    private static String secretOf(String named, String envField, String envName, String fileField, String file,
            Map<String, String> env) {
        if (envName != null && file != null) {
            throw new UsageException(named + ": both " + envField + " and " + fileField + " are set",
                    "keep one of them", null);
        }
        String value = null;
        if (envName != null) {
            value = env.get(envName);
            if (value == null || value.isEmpty()) {
                throw new UsageException(named + ": environment variable '" + envName + "' (" + envField
                        + ") is not set", "set it in the environment arca runs in", null);
            }
        } else if (file != null) {
            try {
                // a trailing newline is what editors and `echo` leave, not part of the secret
                value = Files.readString(Path.of(file)).strip();
            } catch (IOException | RuntimeException e) {
                throw new UsageException(named + ": cannot read '" + file + "' (" + fileField + "): "
                        + e.getClass().getSimpleName(), "check that the file exists and arca may read it", null);
            }
            if (value.isEmpty()) {
                throw new UsageException(named + ": '" + file + "' (" + fileField + ") is empty",
                        "write the secret into it", null);
            }
        }
        return value;
    }
}
