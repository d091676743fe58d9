package io.arca.azure;

import static io.arca.testkit.storage.StorageFixtures.keys;
import static io.arca.testkit.storage.StorageFixtures.randomBytes;
import static io.arca.testkit.storage.StorageFixtures.read;
import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.arca.azure.AzuriteClients.RequestWatch;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageArchivedException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import io.arca.testkit.azure.AzuriteServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the contract suite does not cover, against Azurite: blocks, tiers, pages, credentials, failures. */
class AzureStorageIT {

    private static final long SEED = Long.getLong("arca.test.seed", new SecureRandom().nextLong());
    private static final int SMALL_BLOCK = AzureOptions.MIN_BLOCK_SIZE;

    private static AzuriteServer server;
    private static String container;

    private String prefix;
    private Random random;

    @BeforeAll
    static void startAzurite() {
        System.out.println("azure storage test seed " + SEED + " (repeat with -Darca.test.seed=" + SEED + ")");
        server = AzuriteServer.start();
        container = server.createContainer();
    }

    @AfterAll
    static void stopAzurite() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshPrefix() {
        prefix = "it/" + UUID.randomUUID();
        random = new Random(SEED ^ prefix.hashCode());
    }

    @Test
    void largeObjectIsStagedInParallelBlocksAndCommittedOnce() throws IOException {
        RequestWatch watch = new RequestWatch();
        BlobContainerClient client = AzuriteClients.container(server, container, watch);
        AzureOptions options = AzureOptions.DEFAULT.withBlockSize(SMALL_BLOCK).withUploadConcurrency(4);
        byte[] data = randomBytes(random, 40 * SMALL_BLOCK + 123);

        try (Storage storage = new AzureStorage(client, prefix, options)) {
            ObjectInfo committed;
            try (StorageWriter writer = storage.openWrite("big", WriteOptions.DEFAULT)) {
                writeUnevenly(writer, data);
                committed = writer.commit();
            }

            assertThat(committed.size()).isEqualTo(data.length);
            assertThat(read(storage, "big")).as("content, seed %d", SEED).isEqualTo(data);
        }
        assertThat(client.getBlobClient(prefix + "/big").getBlockBlobClient().listBlocks(BlockListType.COMMITTED)
                .getCommittedBlocks()).as("committed blocks").hasSize(41)
                .allSatisfy(block -> assertThat(block.getSizeLong()).isLessThanOrEqualTo(SMALL_BLOCK));
        assertThat(watch.count("PUT", "block")).as("Put Block requests").isEqualTo(41);
        assertThat(watch.count("PUT", "blocklist")).as("Put Block List requests").isEqualTo(1);
        assertThat(watch.maxBlocksInFlight()).as("blocks staged at the same time").isBetween(2, 4);
    }

    @Test
    void objectOfOneBlockIsOnePutBlob() {
        RequestWatch watch = new RequestWatch();
        BlobContainerClient client = AzuriteClients.container(server, container, watch);
        byte[] data = randomBytes(random, SMALL_BLOCK);

        try (Storage storage = new AzureStorage(client, prefix, AzureOptions.DEFAULT.withBlockSize(SMALL_BLOCK))) {
            write(storage, "exact", data);

            assertThat(read(storage, "exact")).isEqualTo(data);
        }
        assertThat(watch.count("PUT", "block")).isZero();
        assertThat(watch.count("PUT", "blocklist")).isZero();
    }

    @Test
    void abortAfterStagingBlocksLeavesNothingListable() throws IOException {
        BlobContainerClient client = AzuriteClients.container(server, container, null);
        AzureOptions options = AzureOptions.DEFAULT.withBlockSize(SMALL_BLOCK).withUploadConcurrency(2);

        try (Storage storage = new AzureStorage(client, prefix, options)) {
            StorageWriter writer = storage.openWrite("dir/aborted", WriteOptions.DEFAULT);
            // with two slots, writing the sixth block needs earlier ones to have reached the service
            writer.write(randomBytes(random, 6 * SMALL_BLOCK + 1));

            assertThat(storage.list("")).as("listed while blocks are staged").isEmpty();
            assertThat(storage.stat("dir/aborted")).isEmpty();
            writer.close();

            assertThat(storage.list("")).isEmpty();
            assertThat(storage.list("dir/")).isEmpty();
            assertThat(storage.stat("dir/aborted")).isEmpty();
            assertThatThrownBy(() -> storage.openRead("dir/aborted")).isInstanceOf(StorageNotFoundException.class);
            assertThat(client.listBlobs().stream().filter(b -> b.getName().startsWith(prefix)).toList())
                    .as("blobs the SDK lists").isEmpty();
        }
        assertThat(client.getBlobClient(prefix + "/dir/aborted").getBlockBlobClient().listBlocks(BlockListType.ALL)
                .getUncommittedBlocks()).as("blocks staged before the abort, left to the service's cleanup")
                .isNotEmpty();
    }

    @Test
    void concurrentIfAbsentBlockCommitsHaveOneWinner() throws Exception {
        BlobContainerClient client = AzuriteClients.container(server, container, null);
        AzureOptions options = AzureOptions.DEFAULT.withBlockSize(SMALL_BLOCK).withUploadConcurrency(2);
        int writers = 4;
        int rounds = 5;
        List<byte[]> contents = IntStream.range(0, writers)
                .mapToObj(i -> randomBytes(random, 3 * SMALL_BLOCK + i)).toList();
        CyclicBarrier beforeCommit = new CyclicBarrier(writers);

        try (Storage storage = new AzureStorage(client, prefix, options)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<boolean[]>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    byte[] content = contents.get(w);
                    results.add(pool.submit(() -> {
                        boolean[] won = new boolean[rounds];
                        for (int round = 0; round < rounds; round++) {
                            try (StorageWriter writer = storage.openWrite("race/" + round, WriteOptions.ifAbsent())) {
                                writer.write(content);
                                beforeCommit.await(1, TimeUnit.MINUTES);
                                writer.commit();
                                won[round] = true;
                            } catch (StorageAlreadyExistsException e) {
                                won[round] = false;
                            }
                        }
                        return won;
                    }));
                }
                List<boolean[]> won = new ArrayList<>();
                for (Future<boolean[]> result : results) {
                    won.add(result.get(2, TimeUnit.MINUTES));
                }
                for (int round = 0; round < rounds; round++) {
                    int r = round;
                    List<Integer> winners = IntStream.range(0, writers).filter(w -> won.get(w)[r]).boxed().toList();
                    assertThat(winners).as("winners of round %d", round).hasSize(1);
                    assertThat(read(storage, "race/" + round)).isEqualTo(contents.get(winners.get(0)));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void commitAfterAnotherWriterCommittedTheSameKeyFails() throws IOException {
        BlobContainerClient client = AzuriteClients.container(server, container, null);
        byte[] first = randomBytes(random, 3 * SMALL_BLOCK);

        try (Storage storage = new AzureStorage(client, prefix, AzureOptions.DEFAULT.withBlockSize(SMALL_BLOCK))) {
            for (WriteOptions options : List.of(WriteOptions.DEFAULT, WriteOptions.ifAbsent())) {
                String key = options.mode().name();
                try (StorageWriter winner = storage.openWrite(key, options);
                        StorageWriter loser = storage.openWrite(key, options)) {
                    winner.write(first);
                    loser.write(randomBytes(random, 4 * SMALL_BLOCK));
                    winner.commit();

                    // the winner's commit discarded the loser's staged blocks; if-absent is checked first
                    assertThatThrownBy(loser::commit).isInstanceOf(options.mode() == WriteOptions.Mode.IF_ABSENT
                            ? StorageAlreadyExistsException.class : StorageTransientException.class);
                }
                assertThat(read(storage, key)).as(key).isEqualTo(first);
            }
        }
    }

    @Test
    void listingFetchesEveryPage() throws Exception {
        RequestWatch watch = new RequestWatch();
        BlobContainerClient client = AzuriteClients.container(server, container, watch);
        int count = AzureStorage.PAGE_SIZE + 1;
        List<String> expected = IntStream.range(0, count).mapToObj(i -> String.format("p/%05d", i)).toList();

        try (Storage storage = new AzureStorage(client, prefix, AzureOptions.DEFAULT)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (String key : expected) {
                    writes.add(pool.submit(() -> write(storage, key, new byte[] {1})));
                }
                for (Future<?> w : writes) {
                    w.get(1, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            int before = watch.count("GET", "list");

            assertThat(keys(storage.list("p/"))).containsExactlyElementsOf(expected);
            assertThat(watch.count("GET", "list") - before).as("list requests for %d names", count).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Cool", "Cold", "Hot"})
    void accessTierOptionAppliesToEveryBlob(String tier) {
        try (Storage storage = open("?access-tier=" + tier + "&block-size=64KiB")) {
            write(storage, "small", new byte[] {1, 2, 3});
            write(storage, "blocks", randomBytes(random, 3 * SMALL_BLOCK));
        }

        BlobContainerClient client = AzuriteClients.container(server, container, null);
        for (String key : List.of("small", "blocks")) {
            assertThat(client.getBlobClient(prefix + "/" + key).getProperties().getAccessTier()).as(key)
                    .isEqualTo(AccessTier.fromString(tier));
        }
    }

    @Test
    void readingAnArchivedBlobSaysHowToRehydrate() {
        try (Storage storage = open("")) {
            write(storage, "cold/base.tar", new byte[] {1, 2, 3});
            // what a lifecycle management policy does to old backups
            AzuriteClients.container(server, container, null).getBlobClient(prefix + "/cold/base.tar")
                    .setAccessTier(AccessTier.ARCHIVE);

            assertThat(storage.stat("cold/base.tar")).hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(3));
            StorageArchivedException e = catchThrowableOfType(StorageArchivedException.class,
                    () -> storage.openRead("cold/base.tar"));
            assertThat(e).hasMessageContaining("'cold/base.tar'").hasMessageContaining("Archive tier");
            assertThat(e.hint()).contains("az storage blob set-tier", "--container-name " + container,
                    "--name '" + prefix + "/cold/base.tar'", "--tier Hot --rehydrate-priority Standard", "hours");
        }
    }

    @Test
    void missingContainerIsAnAccessErrorNamingIt() {
        Storage storage = new AzureStorageProvider(server.environment()::get)
                .open(StorageUrl.parse("azure://no-such-container/repo"));
        try (storage) {
            for (ThrowingCallable call : List.<ThrowingCallable>of(
                    () -> storage.stat("k"),
                    () -> storage.list(""),
                    () -> storage.openRead("k"),
                    () -> storage.delete("k"),
                    () -> write(storage, "k", new byte[] {1}))) {
                StorageAccessException e = catchThrowableOfType(StorageAccessException.class, call);
                assertThat(e).hasMessage("container 'no-such-container' does not exist in account 'devstoreaccount1'");
                assertThat(e.hint()).contains("az storage container create");
            }
        }
    }

    @Test
    void wrongAccountKeyIsAnAccessErrorWithoutTheKey() {
        String wrongKey = Base64.getEncoder().encodeToString(randomBytes(random, 64));
        String connectionString = server.connectionString().replace(AzuriteServer.ACCOUNT_KEY, wrongKey);
        Storage storage = new AzureStorageProvider(Map.of(AzureStorageProvider.CONNECTION_STRING, connectionString)::get)
                .open(StorageUrl.parse(server.repositoryUrl(container, prefix)));
        try (storage) {
            for (ThrowingCallable call : List.<ThrowingCallable>of(
                    () -> storage.list(""), () -> storage.stat("k"), () -> write(storage, "k", new byte[] {1}))) {
                StorageAccessException e = catchThrowableOfType(StorageAccessException.class, call);
                assertThat(e).hasMessageContaining("denied").hasMessageContaining("'" + container + "'")
                        .hasMessageNotContaining(wrongKey);
                assertThat(e.hint()).contains(AzureStorageProvider.CONNECTION_STRING).doesNotContain(wrongKey);
            }
        }
    }

    @Test
    void unreachableEndpointFailsFastAsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort + "/devstoreaccount1";
        String connectionString = server.connectionString().replace(server.blobEndpoint(), endpoint);
        Storage storage = new AzureStorageProvider(Map.of(AzureStorageProvider.CONNECTION_STRING, connectionString)::get)
                .open(StorageUrl.parse(server.repositoryUrl(container, prefix)));
        try (storage) {
            for (ThrowingCallable call : List.<ThrowingCallable>of(
                    () -> storage.list(""), () -> storage.openRead("k"), () -> write(storage, "k", new byte[] {1}))) {
                long start = System.nanoTime();
                StorageTransientException e = catchThrowableOfType(StorageTransientException.class, call);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(e).hasMessageContaining("'" + endpoint + "'").hasMessageContaining("connection refused");
            }
        }
    }

    @Test
    void accountKeyFromTheEnvironmentWithEndpointOption() {
        Map<String, String> env = Map.of(AzureStorageProvider.KEY, AzuriteServer.ACCOUNT_KEY,
                AzureStorageProvider.ACCOUNT, AzuriteServer.ACCOUNT_NAME);
        String url = server.repositoryUrl(container, prefix) + "?endpoint=" + server.blobEndpoint();

        try (Storage storage = new AzureStorageProvider(env::get).open(StorageUrl.parse(url))) {
            write(storage, "by-key", "k".getBytes(StandardCharsets.UTF_8));

            assertThat(read(storage, "by-key")).asString(StandardCharsets.UTF_8).isEqualTo("k");
            assertThat(storage.url().toString()).doesNotContain(AzuriteServer.ACCOUNT_KEY);
        }
    }

    @Test
    void sasTokenFromTheEnvironment() {
        BlobContainerClient client = AzuriteClients.container(server, container, null);
        String sas = client.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                new BlobContainerSasPermission().setReadPermission(true).setWritePermission(true)
                        .setCreatePermission(true).setListPermission(true).setDeletePermission(true)));
        Map<String, String> env = Map.of(AzureStorageProvider.SAS_TOKEN, sas);
        String url = server.repositoryUrl(container, prefix) + "?endpoint=" + server.blobEndpoint();

        try (Storage storage = new AzureStorageProvider(env::get).open(StorageUrl.parse(url))) {
            write(storage, "by-sas", new byte[] {7});
            storage.delete("by-sas");

            assertThat(storage.list("")).isEmpty();
        }
    }

    @Test
    void missingObjectErrorsNameTheKeyAndRepository() {
        try (Storage storage = open("")) {
            StorageException e = catchThrowableOfType(StorageNotFoundException.class,
                    () -> storage.openRead("no/such/key"));

            assertThat(e).hasMessage("object 'no/such/key' not found in 'azure://" + container + "/" + prefix + "'");
        }
    }

    private Storage open(String query) {
        return new AzureStorageProvider(server.environment()::get)
                .open(StorageUrl.parse(server.repositoryUrl(container, prefix) + query));
    }

    private void writeUnevenly(StorageWriter writer, byte[] data) throws IOException {
        int offset = 0;
        while (offset < data.length) {
            int n = Math.min(data.length - offset, 1 + random.nextInt(100 * 1024));
            writer.write(data, offset, n);
            offset += n;
        }
    }
}
