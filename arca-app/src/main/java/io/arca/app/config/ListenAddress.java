package io.arca.app.config;

import io.arca.core.error.UsageException;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a server listens: {@code HOST:PORT}, {@code [IPv6]:PORT}, or {@code :PORT} for every
 * interface. Port 0 asks the system for a free one (tests).
 *
 * @param host a host name or address; {@code 0.0.0.0} for every interface
 * @param port 0 to 65535
 */
public record ListenAddress(String host, int port) {
    /** {@code 127.0.0.1:9187}: loopback only, until the configuration says otherwise. */
    public static final ListenAddress DEFAULT = new ListenAddress("127.0.0.1", 9187);

    private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]*)):([0-9]{1,5})");

    /**
     * Reads {@code text}.
     *
     * @throws UsageException naming the text when it is not of that form or the port is above 65535
     */
    public static ListenAddress parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new UsageException("invalid listen address '" + text + "': use HOST:PORT, e.g. 127.0.0.1:9187,"
                    + " 0.0.0.0:9187 or [::1]:9187");
        }
        int port = Integer.parseInt(m.group(3));
        if (port > 65535) {
            throw new UsageException("invalid listen address '" + text + "': port " + port + " is above 65535");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2).isEmpty() ? "0.0.0.0" : m.group(2);
        return new ListenAddress(host, port);
    }

    /** The socket address to bind (resolves a host name). */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
