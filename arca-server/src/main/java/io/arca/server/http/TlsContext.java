package io.arca.server.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.arca.app.config.ArcaConfig;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The server's TLS: the certificate and key from a PKCS#12 keystore ({@code server.tls.keystore}),
 * its password from the environment variable {@code server.tls.passwordEnv}; TLS 1.2 and 1.3 only.
 */
final class TlsContext {
    private final SSLContext context;

    private TlsContext(SSLContext context) {
        this.context = context;
    }

    static TlsContext load(ArcaConfig.Tls tls, Map<String, String> env) {
        if (tls.keystore() == null) {
            throw new UsageException("server.tls: keystore is not set", "name a PKCS#12 file with the server's"
                    + " certificate and key, or remove server.tls for plain HTTP", null);
        }
        char[] password = new char[0];
        if (tls.passwordEnv() != null) {
            String p = env.get(tls.passwordEnv());
            if (p == null) {
                throw new UsageException("server.tls.passwordEnv: environment variable " + tls.passwordEnv()
                        + " is not set", "set it to the keystore's password", null);
            }
            password = p.toCharArray();
        }
        try (InputStream in = Files.newInputStream(Path.of(tls.keystore()))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new TlsContext(context);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw wrongPassword(tls, e);
            }
            throw new ArcaException(ErrorCode.LOCAL_IO, "server.tls.keystore: cannot read '" + tls.keystore() + "': "
                    + ApiData.firstLine(e), "give a PKCS#12 file (keytool -genkeypair -storetype PKCS12 ...)"
                    + " and its password in server.tls.passwordEnv", e);
        } catch (java.security.UnrecoverableKeyException e) {
            throw wrongPassword(tls, e);
        } catch (GeneralSecurityException e) {
            throw new ArcaException(ErrorCode.KEY, "server.tls.keystore: '" + tls.keystore() + "' cannot be used: "
                    + ApiData.firstLine(e), "give a PKCS#12 file with one private key and its certificate", e);
        }
    }

    private static ArcaException wrongPassword(ArcaConfig.Tls tls, Exception e) {
        return new ArcaException(ErrorCode.KEY, "server.tls.keystore: the password does not open '" + tls.keystore()
                + "'", "set " + (tls.passwordEnv() == null ? "server.tls.passwordEnv" : tls.passwordEnv())
                + " to the keystore's password", e);
    }

    HttpsConfigurator configurator() {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                params.setSSLParameters(p);
            }
        };
    }
}
