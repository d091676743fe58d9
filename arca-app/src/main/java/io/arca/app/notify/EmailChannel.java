package io.arca.app.notify;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Mails a notice over SMTP (Jakarta Mail): plain text, the title as subject. STARTTLS is required
 * by default and the server's certificate is checked against its host name; AUTH when a user name
 * is set. A refused login, a bad certificate, a server without STARTTLS when it is required, and
 * 5xx replies are permanent; the rest (4xx, timeouts, refused connections) may pass.
 */
public final class EmailChannel implements Channel {
    /** Whether the connection is upgraded to TLS with STARTTLS. */
    public enum StartTls {
        /** Always; refuse a server that does not offer it (the default). */
        REQUIRED,
        /** When the server offers it. */
        OPTIONAL,
        /** Never: plain text (only for a relay on the same host). */
        OFF;

        /** {@code required}, {@code optional}, {@code off}. */
        public static StartTls of(String name) {
            for (StartTls s : values()) {
                if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown starttls '" + name + "'");
        }
    }

    private final String name;
    private final String host;
    private final int port;
    private final StartTls startTls;
    private final String username;
    private final String password;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final SSLContext tls;
    private final Clock clock;
    private final Duration timeout;

    /**
     * @param name the channel's name in logs ({@code notifications[2]})
     * @param host the SMTP server
     * @param port its port (587: submission with STARTTLS)
     * @param startTls when to use STARTTLS
     * @param username the login, or null for none
     * @param password its password (null without a login)
     * @param from the sender
     * @param to the recipients, at least one
     * @param tls the TLS context whose trust store checks the server's certificate
     * @param clock the message's date
     * @param timeout how long connecting, and each read and write, may take
     */
    public EmailChannel(String name, String host, int port, StartTls startTls, String username, String password,
            InternetAddress from, List<InternetAddress> to, SSLContext tls, Clock clock, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.startTls = Objects.requireNonNull(startTls, "startTls");
        this.username = username;
        this.password = password;
        this.from = Objects.requireNonNull(from, "from");
        if (to.isEmpty()) {
            throw new IllegalArgumentException("an email channel needs at least one recipient");
        }
        this.to = to.toArray(new InternetAddress[0]);
        this.tls = Objects.requireNonNull(tls, "tls");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String describe() {
        return "email " + name + " (smtp " + host + ":" + port + ")";
    }

    @Override
    public void send(Notice notice, String deliveryId) throws DeliveryException {
        Session session = Session.getInstance(properties());
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(from);
            message.setRecipients(Message.RecipientType.TO, to);
            message.setSubject("[arca] " + NoticeText.title(notice), "UTF-8");
            message.setText(NoticeText.body(notice), "UTF-8");
            message.setSentDate(Date.from(clock.instant()));
            message.setHeader(WebhookChannel.EVENT_HEADER, notice.event().eventName());
            message.setHeader(WebhookChannel.DELIVERY_HEADER, deliveryId);
            message.saveChanges();
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect(host, port, username, password);
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw failure(e);
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        long millis = timeout.toMillis();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.connectiontimeout", Long.toString(millis));
        p.put("mail.smtp.timeout", Long.toString(millis));
        p.put("mail.smtp.writetimeout", Long.toString(millis));
        p.put("mail.smtp.auth", Boolean.toString(username != null));
        p.put("mail.smtp.starttls.enable", Boolean.toString(startTls != StartTls.OFF));
        p.put("mail.smtp.starttls.required", Boolean.toString(startTls == StartTls.REQUIRED));
        // the factory (an object, not a class name) carries the trust store; the host name is checked too
        p.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        return p;
    }

    private DeliveryException failure(MessagingException e) {
        List<String> secrets = new ArrayList<>();
        if (password != null) {
            secrets.add(password);
        }
        String what = describe();
        if (e instanceof AuthenticationFailedException) {
            return DeliveryException.permanent(what + " refused the login of '" + username + "': "
                    + Secrets.scrub(Secrets.excerpt(e.getMessage(), 200), secrets));
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return DeliveryException.permanent(what + ": tls failed: "
                        + Secrets.scrub(Secrets.excerpt(t.getMessage(), 200), secrets));
            }
        }
        String text = Secrets.scrub(Secrets.excerpt(String.valueOf(e.getMessage()), 200), secrets);
        if (text.contains("STARTTLS is required")) {
            return DeliveryException.permanent(what + " does not offer STARTTLS (starttls: required)");
        }
        int code = replyCode(e);
        if (code >= 500) {
            return DeliveryException.permanent(what + " refused the message: " + text);
        }
        return DeliveryException.retryable(what + " failed: " + text);
    }

    /** The SMTP reply code of a refusal, or -1. */
    private static int replyCode(MessagingException e) {
        for (Exception x = e; x != null;
                x = x instanceof MessagingException m ? m.getNextException() : null) {
            if (x instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
            if (x instanceof SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
        }
        return -1;
    }
}
