package io.arca.app.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.arca.app.config.ArcaConfig;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email through a real SMTP server: GreenMail (with AUTH) behind {@link StartTlsFront}, which adds
 * STARTTLS (GreenMail's SMTP has none) and refuses AUTH and MAIL in plain text, with a certificate
 * for 127.0.0.1 that the channel trusts and checks. The channels come from {@code arca.yaml}
 * records, as in a real run.
 */
class EmailChannelTest {
    private static final String PASSWORD = "right-horse-battery";
    private static final Instant NOW = Instant.parse("2026-03-01T02:10:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("arca-sender", PASSWORD));

    @TempDir
    static Path dir;

    private static TestTls tls;
    private StartTlsFront front;
    private final List<String> logs = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void certificate() throws Exception {
        tls = TestTls.create(dir);
    }

    @BeforeEach
    void startFront() throws Exception {
        front = new StartTlsFront(GREENMAIL.getSmtp().getPort(), tls.server);
    }

    @AfterEach
    void stopFront() throws Exception {
        front.close();
    }

    @Test
    void mailsOverStartTlsWithALogin() throws Exception {
        try (Notifier notifier = notifier(email(front.port(), null, "SMTP_PASSWORD", null), tls)) {
            notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
        }
        assertThat(logs).isEmpty();
        MimeMessage[] got = GREENMAIL.getReceivedMessages();
        assertThat(got).hasSize(2); // one copy per recipient mailbox
        MimeMessage m = got[0];
        assertThat(m.getSubject()).isEqualTo("[arca] backup of app failed (ARCA-1500)");
        assertThat(m.getFrom()[0].toString()).isEqualTo("arca@example.com");
        assertThat(m.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("ops@example.com", "dba@example.com");
        assertThat(m.getHeader("X-Arca-Event")).containsExactly("failure");
        assertThat(m.getSentDate().toInstant()).isEqualTo(NOW);
        String body = GreenMailUtil.getBody(m);
        assertThat(body).contains("cannot connect to 'db.internal:5432'").contains("run: 20260301T020000Z-00000000")
                .contains("error code: ARCA-1500").contains("host: db-1");
        assertThat(front.upgraded()).as("connections upgraded to TLS").isEqualTo(1);
        assertThat(front.refusedInPlain()).as("commands sent before TLS").isZero();
    }

    @Test
    void aWrongPasswordIsReportedOnceAndNeverShown() throws Exception {
        try (Notifier notifier = notifier(email(front.port(), null, null, "wrong-password-123"), tls)) {
            notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
        }
        assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        assertThat(logs).singleElement().asString()
                .startsWith("notification failure for backup of app (run 20260301T020000Z-00000000) via email "
                        + "notifications[0] (smtp 127.0.0.1:" + front.port() + ") failed after 1 attempt: ")
                .contains("refused the login of 'arca-sender'")
                .doesNotContain("wrong-password-123");
    }

    @Test
    void aServerWithoutStartTlsIsRefusedWhenItIsRequired() throws Exception {
        // GreenMail itself offers no STARTTLS
        try (Notifier notifier = notifier(email(GREENMAIL.getSmtp().getPort(), null, "SMTP_PASSWORD", null), tls)) {
            notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
        }
        assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        assertThat(logs).singleElement().asString().endsWith("failed after 1 attempt: email notifications[0] (smtp "
                + "127.0.0.1:" + GREENMAIL.getSmtp().getPort() + ") does not offer STARTTLS (starttls: required)");
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (Notifier notifier = notifier(email(front.port(), null, "SMTP_PASSWORD", null), null)) {
            notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
        }
        assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        assertThat(logs).singleElement().asString().contains("failed after 1 attempt: ").contains("tls failed");
        assertThat(front.refusedInPlain()).isZero();
    }

    @Test
    void plainTextOnlyWhenStartTlsIsOff() throws Exception {
        try (Notifier notifier = notifier(email(GREENMAIL.getSmtp().getPort(), "off", "SMTP_PASSWORD", null), tls)) {
            notifier.notify(Notice.objectiveMet("app", List.of("rpo"), "srv", NOW));
        }
        assertThat(logs).isEmpty();
        assertThat(GREENMAIL.getReceivedMessages()).hasSize(2);
        assertThat(GREENMAIL.getReceivedMessages()[0].getSubject()).isEqualTo("[arca] app meets its objectives again");
    }

    @Test
    void anUnreachableServerIsRetried() throws Exception {
        int port = front.port();
        front.close();
        List<Duration> sleeps = new CopyOnWriteArrayList<>();
        Notifier.Options options = Notifier.Options.defaults().withTls(tls.client)
                .withRetry(new Delivery.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(8)), sleeps::add);
        try (Notifier notifier = Notifier.from(config(email(port, null, "SMTP_PASSWORD", null)),
                Map.of("SMTP_PASSWORD", PASSWORD), PreviousOutcomes.NONE, CLOCK, logs::add, options)) {
            notifier.notify(Notice.failure(Runs.failed("app", 0), NOW));
        }
        assertThat(logs).singleElement().asString().contains("failed after 3 attempts");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    private Notifier notifier(ArcaConfig.Notification email, TestTls trusted) {
        Notifier.Options options = Notifier.Options.defaults()
                .withRetry(new Delivery.Policy(3, Duration.ZERO, Duration.ofSeconds(1)), d -> { });
        if (trusted != null) {
            options = options.withTls(trusted.client);
        }
        return Notifier.from(config(email), Map.of("SMTP_PASSWORD", PASSWORD), PreviousOutcomes.NONE, CLOCK,
                logs::add, options);
    }

    /** An email entry; the password from {@code passwordEnv}, else written to a {@code passwordFile}. */
    private static ArcaConfig.Notification email(int port, String starttls, String passwordEnv, String password)
            throws Exception {
        String passwordFile = null;
        if (passwordEnv == null) {
            Path file = Files.createTempFile(dir, "smtp-password", "");
            Files.writeString(file, password + "\n");
            passwordFile = file.toString();
        }
        return new ArcaConfig.Notification("email", null, null, null, null, List.of(),
                new ArcaConfig.Smtp("127.0.0.1", port, starttls, "arca-sender", passwordEnv, passwordFile),
                "arca@example.com", List.of("ops@example.com", "dba@example.com"));
    }

    private static ArcaConfig config(ArcaConfig.Notification n) {
        return new ArcaConfig(Map.of(), Map.of(), List.of(n), null, null);
    }
}
