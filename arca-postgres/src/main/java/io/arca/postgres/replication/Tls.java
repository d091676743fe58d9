package io.arca.postgres.replication;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS as libpq does it, after the server accepted the SSLRequest: {@code require} (and {@code
 * prefer}, {@code allow}) encrypt without checking the certificate; {@code verify-ca} checks it
 * against the CAs in {@code sslrootcert} (PEM; {@code system} for the JVM's trusted roots;
 * default {@code ~/.postgresql/root.crt}); {@code verify-full} also checks that it names the host.
 * TLS 1.2 or newer only.
 */
final class Tls {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private Tls() {
    }

    /**
     * Wraps a connected socket and completes the handshake.
     *
     * @throws ArcaException {@link ErrorCode#USAGE} for unusable settings (missing or unreadable
     *     {@code sslrootcert}, client certificates)
     * @throws IOException when the handshake fails (including certificate checks)
     */
    static SSLSocket wrap(Socket socket, String host, int port, SslMode mode, Map<String, String> parameters)
            throws IOException {
        if (parameters.get("sslcert") != null || parameters.get("sslkey") != null) {
            throw new ArcaException(ErrorCode.USAGE,
                    "client certificates (sslcert, sslkey) are not supported for replication connections",
                    "authenticate with a password (scram-sha-256) for the replication user instead");
        }
        String rootCert = parameters.get("sslrootcert");
        boolean verify = mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL
                // libpq: with require, a root certificate given makes it behave as verify-ca.
                || mode == SslMode.REQUIRE && rootCert != null && !rootCert.isEmpty();
        boolean checkHost = mode == SslMode.VERIFY_FULL || "system".equals(rootCert) && verify;
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {verify ? verifying(rootCert) : new TrustAll()}, null);
        } catch (GeneralSecurityException e) {
            throw new ArcaException(ErrorCode.FAILURE, "cannot set up TLS: " + e.getMessage(), null, e);
        }
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
        List<String> enabled = new ArrayList<>(PROTOCOLS);
        enabled.retainAll(Arrays.asList(ssl.getSupportedProtocols()));
        ssl.setEnabledProtocols(enabled.toArray(String[]::new));
        if (checkHost) {
            SSLParameters p = ssl.getSSLParameters();
            // RFC 2818 / 6125 host name matching: subjectAltName, else the common name.
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
        }
        ssl.startHandshake();
        return ssl;
    }

    private static TrustManager verifying(String rootCert) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if ("system".equals(rootCert)) {
            tmf.init((KeyStore) null);
            return tmf.getTrustManagers()[0];
        }
        Path file = rootCert == null || rootCert.isEmpty()
                ? Path.of(System.getProperty("user.home"), ".postgresql", "root.crt") : Path.of(rootCert);
        if (!Files.isReadable(file)) {
            throw new ArcaException(ErrorCode.USAGE,
                    "root certificate file '" + file + "' does not exist or is not readable",
                    "give the CA certificate (PEM) in sslrootcert, use sslrootcert=system for the system's trusted"
                            + " roots, or use sslmode=require to encrypt without verifying the server");
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new ArcaException(ErrorCode.USAGE,
                    "cannot read root certificate file '" + file + "': " + e.getMessage(),
                    "sslrootcert must name a file of PEM certificates", e);
        }
        if (certs.isEmpty()) {
            throw new ArcaException(ErrorCode.USAGE, "no certificate in root certificate file '" + file + "'",
                    "sslrootcert must name a file of PEM certificates");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        tmf.init(store);
        return tmf.getTrustManagers()[0];
    }

    /** libpq's behaviour for sslmode below verify-ca: encryption without authentication of the server. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
