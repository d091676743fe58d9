package io.arca.s3;

import static io.arca.s3.S3TestSupport.credentials;
import static io.arca.s3.S3TestSupport.open;
import static io.arca.s3.S3TestSupport.pendingUploads;
import static io.arca.testkit.storage.StorageFixtures.keys;
import static io.arca.testkit.storage.StorageFixtures.read;
import static io.arca.testkit.storage.StorageFixtures.sha256;
import static io.arca.testkit.storage.StorageFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageAccessException;
import io.arca.core.storage.StorageAlreadyExistsException;
import io.arca.core.storage.StorageException;
import io.arca.core.storage.StorageFeature;
import io.arca.core.storage.StorageTransientException;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.Storages;
import io.arca.core.storage.WriteOptions;
import io.arca.testkit.s3.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The S3 store against s3proxy beyond the shared contract: bad configuration and credentials,
 * unreachable endpoints, parallel multipart uploads with bounded memory, aborts, if-absent
 * multipart commits, and what s3proxy does with lifecycle rules.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class S3StorageIT {

    private static final String BUCKET = "arca-it";
    private static final int MIB = 1024 * 1024;
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final long SEED = new Random().nextLong();

    private static S3Server server;
    private static S3Client raw;
    private String prefix;
    private Random random;

    @BeforeAll
    static void startServer() {
        System.out.println("S3StorageIT seed " + SEED);
        server = S3Server.start().createBucket(BUCKET);
        raw = S3TestSupport.rawClient(server);
    }

    @AfterAll
    static void stopServer() {
        if (raw != null) {
            raw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshPrefix() {
        prefix = "it-" + PREFIXES.incrementAndGet();
        random = new Random(SEED + PREFIXES.get());
    }

    @Test
    void providerServesS3UrlsThroughTheServiceLoader() {
        try (Storage storage = Storages.open(StorageUrl.parse(server.url(BUCKET, prefix)))) {
            assertThat(storage.url().toString()).startsWith("s3://" + BUCKET + "/" + prefix + "?");
            assertThat(storage.features()).contains(StorageFeature.ATOMIC_IF_ABSENT, StorageFeature.RANGED_READ,
                    StorageFeature.CONSISTENT_LIST, StorageFeature.DURABLE_COMMIT);
            assertThat(storage.capability(BucketLifecycle.class)).hasValueSatisfying(lifecycle -> {
                assertThat(lifecycle.rulePrefix()).isEqualTo(prefix + "/");
                assertThat(lifecycle.ruleId()).isEqualTo("arca-" + prefix);
            });
        }
    }

    @Test
    void regionComesFromTheUrlElseAChainThatNeverStallsForACustomEndpoint() {
        try (S3Storage storage = open(server, BUCKET, prefix, "&region=eu-central-1")) {
            assertThat(storage.region().id()).isEqualTo("eu-central-1");
        }
        long start = System.nanoTime();
        try (S3Storage storage = open(server, BUCKET, prefix, "")) {
            // AWS_REGION or the profile's region if set, else us-east-1; never EC2 metadata lookups
            assertThat(storage.region()).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            write(storage, "signed", new byte[] {1});
        }
    }

    @Test
    void unknownUrlOptionIsRejectedWithTheKnownOnes() {
        StorageUrl url = StorageUrl.parse(server.url(BUCKET, prefix) + "&colour=red");

        StorageAccessException e = catchThrowableOfType(StorageAccessException.class, () -> Storages.open(url));

        assertThat(e).hasMessageContaining("unknown option 'colour'");
        assertThat(e.hint()).contains("part-size", "region", "endpoint", "storage-class", "sse");
    }

    @Test
    void missingBucketIsAnAccessErrorNamingTheBucket() {
        try (S3Storage storage = open(server, "no-such-bucket", prefix, "")) {
            StorageAccessException listing = catchThrowableOfType(StorageAccessException.class, () -> storage.list(""));
            assertThat(listing).hasMessageContaining("bucket 'no-such-bucket' does not exist");
            assertThat(listing.hint()).contains("aws s3 mb s3://no-such-bucket");

            assertThatThrownBy(() -> write(storage, "key", new byte[] {1}))
                    .isInstanceOf(StorageAccessException.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
            assertThatThrownBy(() -> storage.openRead("key"))
                    .isInstanceOf(StorageAccessException.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        }
    }

    @Test
    void wrongSecretKeyIsAnAccessErrorAboutTheSecret() {
        String secret = "not-the-secret-key";
        try (S3Storage storage = new S3Storage(StorageUrl.parse(server.url(BUCKET, prefix)),
                credentials(server.accessKey(), secret), o -> {
                })) {
            StorageAccessException e = catchThrowableOfType(StorageAccessException.class, () -> storage.list(""));

            assertThat(e).hasMessageContaining("access denied to bucket '" + BUCKET + "'")
                    .hasMessageContaining("SignatureDoesNotMatch")
                    .hasMessageNotContaining(secret);
            assertThat(e.hint()).contains("AWS_SECRET_ACCESS_KEY", "AWS_PROFILE").doesNotContain(secret);
            assertThatThrownBy(() -> write(storage, "key", new byte[] {1})).isInstanceOf(StorageAccessException.class);
        }
    }

    @Test
    void unknownAccessKeyIsAnAccessErrorAboutTheKeyId() {
        try (S3Storage storage = new S3Storage(StorageUrl.parse(server.url(BUCKET, prefix)),
                credentials("AKIAUNKNOWN", server.secretKey()), o -> {
                })) {
            StorageAccessException e = catchThrowableOfType(StorageAccessException.class, () -> storage.stat("key"));

            assertThat(e).hasMessageContaining("access denied to bucket '" + BUCKET + "'");
            assertThat(e.hint()).contains("AWS_ACCESS_KEY_ID");
        }
    }

    @Test
    void unreachableEndpointFailsWithinSecondsAsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort;
        StorageUrl url = StorageUrl.parse("s3://" + BUCKET + "/" + prefix + "?endpoint=" + endpoint);
        try (S3Storage storage = new S3Storage(url, credentials(server), o -> {
        })) {
            long start = System.nanoTime();
            StorageTransientException e = catchThrowableOfType(StorageTransientException.class, () -> storage.list(""));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(e).hasMessageContaining("'" + endpoint + "'").hasMessageContaining("connection refused");
            assertThat(e.hint()).contains("reachable");
            assertThatThrownBy(() -> write(storage, "key", new byte[] {1})).isInstanceOf(StorageTransientException.class);
        }
    }

    @Test
    void bigUploadSendsPartsInParallelWithBoundedBuffers() throws IOException {
        UploadPartProbe probe = new UploadPartProbe(150);
        byte[] data = bytes(40 * MIB);
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB&upload-concurrency=3",
                o -> o.addExecutionInterceptor(probe))) {
            int maxBuffers = 0;
            try (StorageWriter writer = storage.openWrite("big", WriteOptions.DEFAULT)) {
                for (int offset = 0; offset < data.length; offset += MIB) {
                    writer.write(data, offset, MIB);
                    maxBuffers = Math.max(maxBuffers, ((S3Writer) writer).buffers());
                }
                assertThat(writer.commit().size()).isEqualTo(data.length);
            }

            assertThat(probe.parts()).as("40 MiB in 5 MiB parts").isEqualTo(8);
            assertThat(probe.maxInFlight()).as("parts uploading at once").isEqualTo(3);
            assertThat(maxBuffers).as("part buffers of one writer").isLessThanOrEqualTo(3 + 1);
            assertThat(probe.requests()).noneMatch(PutObjectRequest.class::isInstance);
            assertThat(storage.stat("big")).hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(data.length));
            assertThat(sha256(storage, "big")).isEqualTo(sha256(data));
            assertThat(pendingUploads(raw, BUCKET)).noneMatch(u -> u.key().startsWith(prefix + "/"));
        }
    }

    @Test
    void objectOfExactlyOnePartIsOnePut() {
        UploadPartProbe probe = new UploadPartProbe(0);
        byte[] data = bytes(5 * MIB);
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB", o -> o.addExecutionInterceptor(probe))) {
            write(storage, "one-part", data);

            assertThat(probe.parts()).isZero();
            assertThat(probe.requests()).filteredOn(PutObjectRequest.class::isInstance).hasSize(1);
            assertThat(read(storage, "one-part")).isEqualTo(data);
        }
    }

    @Test
    void abortedMultipartWriteLeavesNoObjectAndNoPendingUpload() throws IOException {
        UploadPartProbe probe = new UploadPartProbe(0);
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB", o -> o.addExecutionInterceptor(probe))) {
            try (StorageWriter writer = storage.openWrite("aborted", WriteOptions.DEFAULT)) {
                writer.write(bytes(12 * MIB));
            }

            // queued parts are not sent once the writer aborts, so whether any part went out is timing
            assertThat(probe.requests()).anyMatch(CreateMultipartUploadRequest.class::isInstance);
            assertThat(probe.parts()).as("parts sent before the abort").isBetween(0, 2);
            assertThat(storage.stat("aborted")).isEmpty();
            assertThat(storage.list("")).isEmpty();
            assertThat(pendingUploads(raw, BUCKET)).noneMatch(u -> u.key().startsWith(prefix + "/"));
        }
    }

    @Test
    void failedPartAbortsTheUpload() {
        UploadPartProbe probe = new UploadPartProbe(0).failingPart(2);
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB", o -> o.addExecutionInterceptor(probe))) {
            assertThatThrownBy(() -> write(storage, "failed", bytes(17 * MIB)))
                    .isInstanceOf(StorageAccessException.class)
                    .hasMessageContaining("cannot write part 2 of 'failed'");

            assertThat(storage.stat("failed")).isEmpty();
            assertThat(pendingUploads(raw, BUCKET)).noneMatch(u -> u.key().startsWith(prefix + "/"));
        }
    }

    @Test
    void ifAbsentMultipartCommitOnAnExistingKeyFailsAndKeepsTheOriginal() throws IOException {
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB")) {
            byte[] original = bytes(1000);
            write(storage, "taken", original);

            assertThatThrownBy(() -> write(storage, "taken", bytes(11 * MIB), WriteOptions.ifAbsent()))
                    .isInstanceOf(StorageAlreadyExistsException.class)
                    .hasMessageContaining("'taken'");

            assertThat(read(storage, "taken")).isEqualTo(original);
            assertThat(pendingUploads(raw, BUCKET)).noneMatch(u -> u.key().startsWith(prefix + "/"));
        }
    }

    @Test
    void racingIfAbsentMultipartCommitsHaveOneWinner() throws Exception {
        int writers = 3;
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB")) {
            CyclicBarrier beforeCommit = new CyclicBarrier(writers);
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<Boolean>> results = new ArrayList<>();
            List<byte[]> contents = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] content = bytes(6 * MIB + i);
                contents.add(content);
                results.add(pool.submit(() -> {
                    try (StorageWriter writer = storage.openWrite("raced", WriteOptions.ifAbsent())) {
                        writer.write(content);
                        // every upload is complete but one part; the commits check and publish together
                        beforeCommit.await(1, TimeUnit.MINUTES);
                        writer.commit();
                        return true;
                    } catch (StorageAlreadyExistsException e) {
                        return false;
                    }
                }));
            }
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                if (results.get(i).get(1, TimeUnit.MINUTES)) {
                    winners.add(i);
                }
            }
            pool.shutdown();

            assertThat(winners).hasSize(1);
            assertThat(sha256(storage, "raced")).isEqualTo(sha256(contents.get(winners.get(0))));
            assertThat(pendingUploads(raw, BUCKET)).noneMatch(u -> u.key().startsWith(prefix + "/"));
        }
    }

    @Test
    void closingAReadEarlyDoesNotDownloadTheRest() throws IOException {
        try (S3Storage storage = open(server, BUCKET, prefix, "")) {
            byte[] data = bytes(24 * MIB);
            write(storage, "large", data);

            for (int i = 0; i < 5; i++) {
                try (InputStream in = storage.openRead("large")) {
                    assertThat(in.readNBytes(100)).isEqualTo(java.util.Arrays.copyOf(data, 100));
                }
            }
            assertThat(sha256(storage, "large")).as("the store still reads after aborted streams").isEqualTo(sha256(data));
        }
    }

    @Test
    void storageClassGoesOnEveryObject() {
        UploadPartProbe probe = new UploadPartProbe(0);
        try (S3Storage storage = open(server, BUCKET, prefix, "&part-size=5MiB&storage-class=STANDARD_IA",
                o -> o.addExecutionInterceptor(probe))) {
            write(storage, "small", bytes(10));
            write(storage, "large", bytes(6 * MIB));

            assertThat(probe.requests()).filteredOn(PutObjectRequest.class::isInstance).singleElement()
                    .satisfies(put -> assertThat(((PutObjectRequest) put).storageClass())
                            .isEqualTo(StorageClass.STANDARD_IA));
            assertThat(probe.requests()).filteredOn(CreateMultipartUploadRequest.class::isInstance).singleElement()
                    .satisfies(create -> assertThat(((CreateMultipartUploadRequest) create).storageClass())
                            .isEqualTo(StorageClass.STANDARD_IA));
            // s3proxy keeps the class of a PutObject but drops that of a multipart upload
            assertThat(raw.headObject(b -> b.bucket(BUCKET).key(prefix + "/small")).storageClass())
                    .isEqualTo(StorageClass.STANDARD_IA);
        }
    }

    @Test
    void encryptionIsRequestedAndS3proxyRefusesIt() {
        // s3proxy's filesystem backend has no server-side encryption: this checks the request and the error
        UploadPartProbe probe = new UploadPartProbe(0);
        try (S3Storage storage = open(server, BUCKET, prefix, "&sse=aws:kms&sse-kms-key-id=alias/arca",
                o -> o.addExecutionInterceptor(probe))) {
            StorageAccessException e = catchThrowableOfType(StorageAccessException.class,
                    () -> write(storage, "small", bytes(10)));

            assertThat(e).hasMessageContaining("does not implement").hasMessageContaining("'small'");
            assertThat(probe.requests()).filteredOn(PutObjectRequest.class::isInstance).singleElement()
                    .satisfies(request -> {
                        PutObjectRequest put = (PutObjectRequest) request;
                        assertThat(put.serverSideEncryptionAsString()).isEqualTo("aws:kms");
                        assertThat(put.ssekmsKeyId()).isEqualTo("alias/arca");
                    });
            assertThat(storage.list("")).isEmpty();
        }
    }

    @Test
    void foreignObjectsThatCannotBeKeysAreNotListed() {
        try (S3Storage storage = open(server, BUCKET, prefix, "")) {
            write(storage, "folder/object", new byte[] {1});
            // a console's folder marker
            raw.putObject(b -> b.bucket(BUCKET).key(prefix + "/folder/"), RequestBody.empty());

            assertThat(keys(storage.list(""))).containsExactly("folder/object");
        }
    }

    @Test
    void prefixIsPercentDecodedFromTheUrl() {
        try (S3Storage storage = open(server, BUCKET, prefix + "/with%20space", "")) {
            write(storage, "key", new byte[] {1});

            assertThat(raw.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents())
                    .extracting(S3Object::key).containsExactly(prefix + "/with space/key");
            assertThat(keys(storage.list(""))).containsExactly("key");
        }
    }

    @Test
    void lifecycleRulesOnS3proxyAreReportedAsUnsupported() {
        try (S3Storage storage = open(server, BUCKET, prefix, "")) {
            LifecycleRule rule = new LifecycleRule(storage.ruleId(), storage.rulePrefix(), OptionalInt.of(30),
                    "GLACIER", OptionalInt.of(365));

            StorageException applying = catchThrowableOfType(StorageAccessException.class, () -> storage.apply(rule));
            StorageException reading = catchThrowableOfType(StorageAccessException.class, () -> storage.rules(storage.rulePrefix()));

            assertThat(applying).hasMessageContaining("does not implement").hasMessageContaining("'s3://" + BUCKET + "/");
            assertThat(reading).hasMessageContaining("does not implement");
        }
    }

    private byte[] bytes(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }
}
