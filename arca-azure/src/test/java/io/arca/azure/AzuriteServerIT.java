package io.arca.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.testkit.azure.AzuriteServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The test server itself: containers, connection details, and that closing stops it. */
class AzuriteServerIT {

    @Test
    void servesTheDevelopmentAccountUntilClosed() {
        AzuriteServer server = AzuriteServer.start();
        int port = server.port();
        try (server) {
            String container = server.createContainer();

            assertThat(container).matches("[a-z0-9-]{3,63}");
            assertThat(AzuriteClients.container(server, container, null).exists()).isTrue();
            assertThatThrownBy(() -> server.createContainer(container)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'" + container + "'");
            assertThat(server.blobEndpoint()).isEqualTo("http://127.0.0.1:" + port + "/devstoreaccount1");
            assertThat(server.connectionString()).contains("BlobEndpoint=" + server.blobEndpoint() + ";");
            assertThat(server.environment()).containsEntry("AZURE_STORAGE_CONNECTION_STRING", server.connectionString());
            assertThat(server.repositoryUrl(container, "a/b")).isEqualTo("azure://" + container + "/a/b");
            assertThat(server.repositoryUrl(container, "")).isEqualTo("azure://" + container);
        }

        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            }
        }).as("port %d after close", port).isInstanceOf(IOException.class);
    }
}
