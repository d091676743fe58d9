package io.arca.app.notify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * STARTTLS in front of GreenMail, whose SMTP server has no STARTTLS: it relays a client to
 * GreenMail's plain SMTP port, adds {@code STARTTLS} to the {@code EHLO} reply, answers
 * {@code STARTTLS} itself and upgrades the client's side to TLS (a real JDK TLS server), then
 * relays the rest. Before TLS it refuses {@code AUTH}, {@code MAIL}, {@code RCPT} and
 * {@code DATA} with 530, as a submission server does: a message that arrives came over TLS.
 */
final class StartTlsFront implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final SSLContext tls;
    private final AtomicInteger upgraded = new AtomicInteger();
    private final AtomicInteger refusedInPlain = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();

    StartTlsFront(int upstreamPort, SSLContext tls) throws IOException {
        this.upstreamPort = upstreamPort;
        this.tls = tls;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        daemon(this::acceptLoop, "starttls-front");
    }

    int port() {
        return listener.getLocalPort();
    }

    /** How many connections were upgraded to TLS. */
    int upgraded() {
        return upgraded.get();
    }

    /** How many commands that need TLS were refused before it. */
    int refusedInPlain() {
        return refusedInPlain.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                synchronized (sockets) {
                    sockets.add(client);
                }
                daemon(() -> serve(client), "starttls-front-conn");
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket up = new Socket("127.0.0.1", upstreamPort)) {
            InputStream upIn = up.getInputStream();
            OutputStream upOut = up.getOutputStream();
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            write(out, String.join("", reply(upIn)));
            while (true) {
                String line = line(in);
                if (line == null) {
                    return;
                }
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        write(upOut, line + "\r\n");
                        List<String> lines = reply(upIn);
                        StringBuilder b = new StringBuilder();
                        for (String l : lines) {
                            b.append("250-").append(l.substring(4));
                        }
                        b.append("250 STARTTLS\r\n");
                        write(out, b.toString());
                    }
                    case "STARTTLS" -> {
                        write(out, "220 2.0.0 ready to start TLS\r\n");
                        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(client, null,
                                client.getPort(), false);
                        secure.setUseClientMode(false);
                        secure.startHandshake();
                        upgraded.incrementAndGet();
                        relay(secure, up);
                        return;
                    }
                    case "AUTH", "MAIL", "RCPT", "DATA" -> {
                        refusedInPlain.incrementAndGet();
                        write(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
                    }
                    default -> {
                        write(upOut, line + "\r\n");
                        write(out, String.join("", reply(upIn)));
                    }
                }
            }
        } catch (IOException e) {
            // the client or GreenMail went away: so does the connection
        }
    }

    /** Copies both ways until either side closes. */
    private static void relay(Socket a, Socket b) throws IOException {
        Thread back = daemon(() -> copy(b, a), "starttls-front-relay");
        copy(a, b);
        try {
            back.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        a.close();
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                // an SSLSocket cannot half-close: it is closed by the caller
            }
        }
    }

    /** One SMTP reply (all its lines, with CRLF); the last line has a space after the code. */
    private static List<String> reply(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = line(in);
            if (l == null) {
                throw new IOException("upstream closed");
            }
            lines.add(l + "\r\n");
        } while (l.length() > 3 && l.charAt(3) == '-');
        return lines;
    }

    /** A line read byte by byte, so that nothing after it (the TLS handshake) is consumed. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
