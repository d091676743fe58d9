package io.arca.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The provider with the real client over HTTP (no service needed: nothing listens). */
class GcsStorageProviderTest {

    private final GcsStorageProvider provider = new GcsStorageProvider();

    @Test
    void servesGsUrls() {
        assertThat(provider.scheme()).isEqualTo("gs");
        assertThat(provider.priority()).isZero();
    }

    @Test
    void unreachableEndpointFailsFastWithTheEndpointNamed() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        try (Storage storage = provider.open(StorageUrl.parse("gs://bucket/prefix?endpoint=" + endpoint))) {
            assertFailsFast(() -> storage.stat("arca.json"), endpoint);
            assertFailsFast(() -> storage.list(""), endpoint);
            assertFailsFast(() -> storage.openRead("arca.json"), endpoint);
            assertFailsFast(() -> storage.delete("arca.json"), endpoint);
            for (WriteOptions options : new WriteOptions[] {WriteOptions.DEFAULT, WriteOptions.ifAbsent()}) {
                assertFailsFast(() -> {
                    try (StorageWriter writer = storage.openWrite("arca.json", options)) {
                        writer.write(new byte[] {1});
                        writer.commit();
                    }
                }, endpoint);
            }
        }
    }

    private static void assertFailsFast(Executable call, String endpoint) {
        long start = System.nanoTime();
        assertThatThrownBy(call::execute)
                .isInstanceOf(StorageTransientException.class)
                .hasMessageContaining("cannot reach google cloud storage at '" + endpoint + "' (connection refused)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void invalidUrlsFailAtOpen() {
        assertThatThrownBy(() -> provider.open(StorageUrl.parse("gs://bucket/p?storage-class=cold")))
                .isInstanceOf(StorageAccessException.class).hasMessageContaining("storage-class 'cold'");
        assertThatThrownBy(() -> provider.open(StorageUrl.parse("gs://bucket/p?unknown=1")))
                .isInstanceOf(StorageAccessException.class).hasMessageContaining("unknown option 'unknown'");
    }
}
