package io.arca.qdrant;

import static io.arca.qdrant.QdrantTesting.SOURCE;
import static io.arca.qdrant.QdrantTesting.backup;
import static io.arca.qdrant.QdrantTesting.options;
import static io.arca.qdrant.QdrantTesting.repository;
import static io.arca.qdrant.QdrantTesting.restore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.VerifyContext;
import io.arca.core.storage.local.LocalFileStorage;
import io.arca.testkit.qdrant.QdrantServer;
import io.arca.testkit.qdrant.QdrantStandIn;
import io.arca.testkit.qdrant.QdrantTestClient;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Qdrant source end to end against a Qdrant (the stand-in, or a real one when
 * {@code ARCA_TEST_QDRANT_URL} is set) and a real repository in a temporary directory: backup,
 * restore, verify and drill, with and without encryption, and how they fail.
 */
class QdrantSourceIT {
    private static final int DIM = 4;
    private static QdrantServer qdrant;
    private static QdrantTestClient client;
    private static long seed;
    private final List<String> created = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        qdrant = QdrantServer.start();
        client = new QdrantTestClient(qdrant);
        seed = new Random().nextLong();
        System.out.println("QdrantSourceIT against " + qdrant + ", seed " + seed);
    }

    @AfterAll
    static void stop() {
        qdrant.close();
    }

    @AfterEach
    void deleteCollections() {
        created.forEach(client::deleteCollection);
    }

    private String name(String prefix) {
        String n = QdrantTestClient.uniqueName(prefix);
        created.add(n);
        return n;
    }

    private List<JsonNode> collection(String name, int points) {
        client.createCollection(name, DIM);
        return client.seed(name, DIM, points, seed);
    }

    private Map<String, String> env() {
        return qdrant.apiKey() == null ? Map.of() : Map.of(QdrantOptions.API_KEY_ENV, qdrant.apiKey());
    }

    private static List<JsonNode> ids(List<JsonNode> points) {
        return points.stream().map(p -> p.get("id")).toList();
    }

    /** The restored points equal the seeded ones: ids, vectors and payloads. */
    private static void assertSamePoints(String collection, List<JsonNode> expected) {
        List<JsonNode> actual = new ArrayList<>(client.retrieve(collection, ids(expected)));
        actual.sort(Comparator.comparing(p -> p.get("id").asText()));
        List<JsonNode> want = new ArrayList<>(expected);
        want.sort(Comparator.comparing(p -> p.get("id").asText()));
        assertThat(actual).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(actual.get(i).get("id")).isEqualTo(want.get(i).get("id"));
            assertThat(actual.get(i).get("payload")).isEqualTo(want.get(i).get("payload"));
            JsonNode v = actual.get(i).get("vector");
            JsonNode w = want.get(i).get("vector");
            assertThat(v.size()).isEqualTo(w.size());
            for (int d = 0; d < w.size(); d++) {
                assertThat(v.get(d).asDouble()).as(collection + " point " + want.get(i).get("id")).isEqualTo(w.get(d).asDouble());
            }
        }
        assertThat(client.pointsCount(collection)).isEqualTo(expected.size());
    }

    @ParameterizedTest(name = "encrypted {0}")
    @ValueSource(booleans = {false, true})
    void aBackupRestoresEveryPointAndLeavesNoSnapshotOnTheServer(boolean encrypted) throws Exception {
        String c = name("products");
        List<JsonNode> points = collection(c, 300);
        Repository repo = repository(dir.resolve("repo"), encrypted);

        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c));

        assertThat(client.snapshots(c)).as("snapshots left on the server").isEmpty();
        Section section = m.section(QdrantSource.ID).orElseThrow();
        assertThat(section.subject().uri()).isEqualTo("qdrant://" + QdrantUrl.parse("--qdrant", qdrant.url()).authority()
                + "/" + c);
        QdrantDetails d = section.details(QdrantDetails.class);
        ArtifactRecord a = m.artifactsOf(section).get(0);
        assertThat(d.collection()).isEqualTo(c);
        assertThat(d.pointsCount()).isEqualTo(300L);
        assertThat(d.vectors().path("size").asInt()).isEqualTo(DIM);
        assertThat(d.vectors().path("distance").asText()).isEqualTo("Dot");
        assertThat(d.size()).isEqualTo(a.size());
        assertThat(d.qdrantVersion()).isNotBlank();
        assertThat(m.tools()).containsEntry("qdrant", d.qdrantVersion());
        if (d.qdrantChecksum() != null) {
            assertThat(d.qdrantChecksum()).isEqualToIgnoringCase(a.sha256());
        }
        assertThat(a.name()).isEqualTo("qdrant/" + c + ".snapshot");
        assertThat(a.format()).isEqualTo("qdrant-snapshot");
        assertThat(a.codecs()).isEqualTo(encrypted ? List.of("zstd:3", "openpgp") : List.of("zstd:3"));
        assertThat(a.file()).isEqualTo("qdrant/" + c + ".snapshot.zst" + (encrypted ? ".gpg" : ""));

        assertThat(SOURCE.verify(new VerifyContext(repo, m, Progress.NONE), section)).isEmpty();
        assertThat(SOURCE.contents(repo, m, section)).singleElement().asString().contains(c).contains("300 points");

        String renamed = name("restored");
        List<String> lines = restore(repo, m, false, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection",
                c + ":" + renamed));
        assertThat(lines).containsExactly("qdrant collection '" + renamed + "' created from snapshot '" + d.snapshot()
                + "': 300 points (backed up as '" + c + "')");
        assertSamePoints(renamed, points);

        client.deleteCollection(c);
        restore(repo, m, false, options(env(), "--qdrant", qdrant.url()));
        assertSamePoints(c, points);
        assertThat(client.snapshots(c)).isEmpty();
    }

    @Test
    void allCollectionsAreBackedUpOneSectionEach() throws Exception {
        String a = name("all-a");
        String b = name("all-b ü");
        List<JsonNode> pa = collection(a, 50);
        List<JsonNode> pb = collection(b, 7);
        Repository repo = repository(dir.resolve("repo"), false);

        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-all"));

        List<String> names = m.sections().stream().map(s -> s.details(QdrantDetails.class).collection()).toList();
        assertThat(names).contains(a, b);
        assertThat(m.sections()).allMatch(s -> s.isSource(QdrantSource.ID));
        assertThat(m.artifacts().stream().map(ArtifactRecord::name)).contains("qdrant/" + a + ".snapshot",
                "qdrant/" + b.replace(" ü", "%20%C3%BC") + ".snapshot");
        String a2 = name("all-a2");
        String b2 = name("all-b2");
        List<String> lines = restore(repo, m, false, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection",
                a + ":" + a2, "--qdrant-collection", b + ":" + b2));
        assertThat(lines.stream().filter(l -> l.contains("left out")).count()).isEqualTo(names.size() - 2);
        assertSamePoints(a2, pa);
        assertSamePoints(b2, pb);
    }

    @Test
    void anExistingCollectionIsRefusedWithoutCleanAndReplacedWithIt() throws Exception {
        String c = name("existing");
        List<JsonNode> points = collection(c, 40);
        Repository repo = repository(dir.resolve("repo"), false);
        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c));
        client.seed(c, DIM, 60, seed + 1);
        long now = client.pointsCount(c);
        assertThat(now).isGreaterThan(40);

        assertThatThrownBy(() -> restore(repo, m, false, options(env(), "--qdrant", qdrant.url())))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
                    assertThat(e.getMessage()).isEqualTo("qdrant collection '" + c + "' exists at '" + qdrant.url() + "'");
                    assertThat(e.hint()).contains("--clean");
                });
        assertThat(client.pointsCount(c)).as("untouched").isEqualTo(now);

        assertThat(restore(repo, m, true, options(env(), "--qdrant", qdrant.url()))).singleElement().asString()
                .contains("replaced");
        assertSamePoints(c, points);

        // --clean also replaces a collection whose vectors differ (Qdrant would refuse to recover into it)
        String other = name("other-dim");
        client.createCollection(other, 8);
        restore(repo, m, true, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c + ":" + other));
        assertSamePoints(other, points);
        assertThat(client.info(other).orElseThrow().path("config").path("params").path("vectors").path("size").asInt())
                .isEqualTo(DIM);
    }

    @Test
    void aMisspeltCollectionFailsBeforeAnythingIsRestored() throws Exception {
        String c = name("spelt");
        collection(c, 3);
        Repository repo = repository(dir.resolve("repo"), false);
        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c));
        assertThatThrownBy(() -> restore(repo, m, false, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection",
                "nope:x"))).isInstanceOf(io.arca.core.error.UsageException.class)
                .hasMessageContaining("holds no qdrant collection 'nope'");
        assertThatThrownBy(() -> backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", "nope-"
                + c))).isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.getMessage())
                        .contains("has no collection 'nope-" + c + "'"));
    }

    @Test
    void theServerSnapshotIsDeletedWhenStoringItFails() throws Exception {
        String c = name("failing");
        collection(c, 500);
        Repository repo = repository(new FailingStorage(new LocalFileStorage(dir.resolve("repo")), "/qdrant/", 2000),
                false);
        assertThatThrownBy(() -> backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c)))
                .hasMessageContaining("No space left on device");
        assertThat(client.snapshots(c)).isEmpty();
        if (qdrant instanceof QdrantStandIn standIn) {
            assertThat(standIn.calls("delete_snapshot")).isPositive();
            assertThat(standIn.snapshotFiles()).isEmpty();
        }
        assertThat(repo.list()).as("no backup committed").isEmpty();
    }

    @ParameterizedTest(name = "encrypted {0}")
    @ValueSource(booleans = {false, true})
    void aFlippedByteFailsTheRestoreAndLeavesNoCollection(boolean encrypted) throws Exception {
        String c = name("flipped");
        List<JsonNode> points = collection(c, 200);
        Path root = dir.resolve("repo");
        Repository repo = repository(root, encrypted);
        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c));
        ArtifactRecord a = m.artifacts().get(0);
        Path stored = root.resolve(Repository.key(m.id(), a.file()));
        try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        String target = name("flipped-target");
        assertThatThrownBy(() -> restore(repo, m, false, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection",
                c + ":" + target))).isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).as(e.toString()).isIn(ErrorCode.VERIFICATION_FAILED,
                            encrypted ? ErrorCode.KEY : ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).contains(a.file());
                });
        assertThat(client.exists(target)).as("collection left behind").isFalse();

        // over an existing collection with --clean: the damage is found before the collection is deleted
        assertThatThrownBy(() -> restore(repo, m, true, options(env(), "--qdrant", qdrant.url())))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));
        assertSamePoints(c, points);

        assertThat(SOURCE.verify(new VerifyContext(repo, m, Progress.NONE), m.sections().get(0))).isNotEmpty();
    }

    /**
     * The hardest case: stored bytes that decode but whose digest differs fail only at the end of
     * the stream, after every snapshot byte went out; the upload is aborted before its closing
     * boundary, so Qdrant never recovers it.
     */
    @ParameterizedTest(name = "encrypted {0}")
    @ValueSource(booleans = {false, true})
    void aDigestThatFailsAtTheEndOfTheStreamAbortsTheUpload(boolean encrypted) throws Exception {
        try (QdrantStandIn standIn = QdrantStandIn.start()) {
            QdrantTestClient local = new QdrantTestClient(standIn);
            local.createCollection("digest", DIM);
            local.seed("digest", DIM, 100, seed);
            Repository repo = repository(dir.resolve("repo"), encrypted);
            BackupManifest good = backup(repo, options("--qdrant", standIn.url(), "--qdrant-collection", "digest"));
            ArtifactRecord a = good.artifacts().get(0);
            String sha = a.storedSha256();
            String flipped = sha.substring(0, 7) + (sha.charAt(7) == '0' ? '1' : '0') + sha.substring(8);
            BackupManifest tampered = new BackupManifest(good.formatVersion(), good.backupId(), good.repositoryId(),
                    good.subjects(), good.startedAt(), good.finishedAt(), good.labels(), good.tools(), good.sections(),
                    List.of(new ArtifactRecord(a.name(), a.source(), a.format(), a.file(), a.size(), a.sha256(),
                            a.storedSize(), flipped, a.codecs(), a.seekPoints(), a.encryption())), good.parents(),
                    good.timings(), good.requiredEncryption());
            assertThatThrownBy(() -> restore(repo, tampered, false, options("--qdrant", standIn.url(),
                    "--qdrant-collection", "digest:digest2"))).isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                        assertThat(e.getMessage()).contains(a.file()).contains("sha-256");
                    });
            assertThat(standIn.calls("recover_from_uploaded_snapshot")).as("the upload started").isEqualTo(1);
            assertThat(local.exists("digest2")).isFalse();
            restore(repo, good, false, options("--qdrant", standIn.url(), "--qdrant-collection", "digest:digest3"));
            assertThat(local.pointsCount("digest3")).isEqualTo(100);
        }
    }

    @Test
    void aRecoveryThatFailsAfterQdrantCreatedTheCollectionLeavesNone() throws Exception {
        try (QdrantStandIn standIn = QdrantStandIn.start()) {
            QdrantTestClient local = new QdrantTestClient(standIn);
            local.createCollection("half", DIM);
            local.seed("half", DIM, 20, seed);
            Repository repo = repository(dir.resolve("repo"), false);
            BackupManifest m = backup(repo, options("--qdrant", standIn.url(), "--qdrant-collection", "half"));
            standIn.failRecoveryAfterCreate(true);
            assertThatThrownBy(() -> restore(repo, m, false, options("--qdrant", standIn.url(), "--qdrant-collection",
                    "half:half2"))).isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.getMessage()).contains("could not recover collection 'half2'")
                                .contains("failed to recover shard 0");
                    });
            assertThat(standIn.calls("delete_collection")).isEqualTo(1);
            assertThat(local.exists("half2")).isFalse();
        }
    }

    @Test
    void anApiKeyIsRequiredAndCheckedWithClearErrors() throws Exception {
        try (QdrantStandIn keyed = QdrantStandIn.start("right-key", "read-key")) {
            QdrantTestClient local = new QdrantTestClient(keyed);
            local.createCollection("secured", DIM);
            local.seed("secured", DIM, 10, seed);
            Repository repo = repository(dir.resolve("repo"), false);

            assertThatThrownBy(() -> backup(repo, options("--qdrant", keyed.url(), "--qdrant-collection", "secured")))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.getMessage()).isEqualTo("qdrant at '" + keyed.url() + "' requires an api key: Must"
                                + " provide an API key or an Authorization bearer token");
                        assertThat(e.hint()).contains("ARCA_QDRANT_API_KEY").contains("--qdrant-api-key-file");
                    });
            assertThatThrownBy(() -> backup(repo, options(Map.of("ARCA_QDRANT_API_KEY", "wrong-key"), "--qdrant",
                    keyed.url(), "--qdrant-collection", "secured"))).isInstanceOfSatisfying(ArcaException.class,
                            e -> assertThat(e.getMessage()).isEqualTo("qdrant at '" + keyed.url()
                                    + "' refused the api key: Invalid API key or JWT").doesNotContain("wrong-key"));
            assertThatThrownBy(() -> backup(repo, options(Map.of("ARCA_QDRANT_API_KEY", "read-key"), "--qdrant",
                    keyed.url(), "--qdrant-collection", "secured"))).isInstanceOfSatisfying(ArcaException.class,
                            e -> {
                                assertThat(e.getMessage()).contains("did not allow arca to make a snapshot of collection"
                                        + " 'secured'").contains("Forbidden");
                                assertThat(e.hint()).contains("read-write api key");
                            });

            BackupManifest m = backup(repo, options(Map.of("ARCA_QDRANT_API_KEY", "right-key"), "--qdrant", keyed.url(),
                    "--qdrant-collection", "secured"));
            Path keyFile = java.nio.file.Files.writeString(dir.resolve("key"), "right-key\n");
            // the file wins over the environment
            restore(repo, m, false, options(Map.of("ARCA_QDRANT_API_KEY", "wrong-key"), "--qdrant", keyed.url(),
                    "--qdrant-api-key-file", keyFile.toString(), "--qdrant-collection", "secured:secured2"));
            assertThat(local.pointsCount("secured2")).isEqualTo(10);
            assertThat(local.snapshots("secured")).isEmpty();
        }
    }

    @Test
    void everyWaitIsBounded() throws Exception {
        try (QdrantStandIn slow = QdrantStandIn.start()) {
            QdrantTestClient local = new QdrantTestClient(slow);
            local.createCollection("slow", DIM);
            local.seed("slow", DIM, 300, seed);
            Repository repo = repository(dir.resolve("repo"), false);

            slow.delay("create_snapshot", java.time.Duration.ofSeconds(20));
            assertBounded(() -> backup(repo, options("--qdrant", slow.url(), "--qdrant-collection", "slow",
                    "--qdrant-timeout", "1s")), "qdrant at '" + slow.url() + "' did not make a snapshot of collection"
                            + " 'slow' within 1s");
            slow.delay("create_snapshot", java.time.Duration.ZERO);

            slow.stallDownloadsAfter(1000);
            assertBounded(() -> backup(repo, options("--qdrant", slow.url(), "--qdrant-collection", "slow",
                    "--qdrant-timeout", "1s")), "stopped sending for 1s while it was asked to send snapshot");
            assertThat(local.snapshots("slow")).as("deleted after the stalled download").isEmpty();
            slow.stallDownloadsAfter(-1);

            BackupManifest m = backup(repo, options("--qdrant", slow.url(), "--qdrant-collection", "slow"));
            slow.yellowAfterRecovery(java.time.Duration.ofSeconds(30));
            assertBounded(() -> restore(repo, m, false, options("--qdrant", slow.url(), "--qdrant-collection",
                    "slow:slow2", "--qdrant-timeout", "1s")), "qdrant collection 'slow2' at '" + slow.url()
                            + "' did not turn green within 1s after its recovery (status yellow)");
            slow.yellowAfterRecovery(java.time.Duration.ofMillis(600));
            restore(repo, m, false, options("--qdrant", slow.url(), "--qdrant-collection", "slow:slow3",
                    "--qdrant-timeout", "5s"));
            assertThat(local.pointsCount("slow3")).isEqualTo(300);

            slow.delay("recover_from_uploaded_snapshot", java.time.Duration.ofSeconds(20));
            assertBounded(() -> restore(repo, m, false, options("--qdrant", slow.url(), "--qdrant-collection",
                    "slow:slow4", "--qdrant-timeout", "1s")), "did not recover collection 'slow4' from the uploaded"
                            + " snapshot within 1s of receiving it");
        }
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Repository repo = repository(dir.resolve("repo2"), false);
        assertBounded(() -> backup(repo, options("--qdrant", "http://127.0.0.1:" + port, "--qdrant-all",
                "--qdrant-timeout", "1s")), "cannot connect to qdrant at 'http://127.0.0.1:" + port + "'");
    }

    private static void assertBounded(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        long started = System.nanoTime();
        assertThatThrownBy(call).isInstanceOf(ArcaException.class).hasMessageContaining(message);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(6));
    }

    @Test
    void aDrillRecoversIntoTheScratchQdrantChecksTheCountAndDeletesIt() throws Exception {
        String c = name("drilled");
        collection(c, 120);
        Repository repo = repository(dir.resolve("repo"), true);
        BackupManifest m = backup(repo, options(env(), "--qdrant", qdrant.url(), "--qdrant-collection", c));
        Section section = m.sections().get(0);
        try (QdrantStandIn scratch = QdrantStandIn.start()) {
            RestoreContext ctx = new RestoreContext(repo, m, false, Progress.NONE);
            assertThat(SOURCE.drill(ctx, section, options())).as("no scratch: verify instead").isEmpty();
            Optional<List<String>> checks = SOURCE.drill(ctx, section, options("--qdrant-scratch", scratch.url()));
            assertThat(checks).get().asList().hasSize(2);
            assertThat(checks.get().get(1)).isEqualTo("qdrant collection '" + c + "' holds 120 points, the backup"
                    + " recorded 120");
            assertThat(scratch.calls("recover_from_uploaded_snapshot")).isEqualTo(1);
            assertThat(scratch.collectionNames()).as("temporary collection deleted").isEmpty();

            // a count that differs from the manifest's fails the drill, and the collection still goes
            QdrantDetails d = section.details(QdrantDetails.class);
            Section wrong = Section.of(QdrantSource.ID, section.subject(), section.artifacts(), false,
                    new QdrantDetails(d.collection(), d.snapshot(), d.size(), d.qdrantChecksum(), 121L, 121L,
                            d.vectors(), d.qdrantVersion()));
            assertThatThrownBy(() -> SOURCE.drill(ctx, wrong, options("--qdrant-scratch", scratch.url())))
                    .isInstanceOfSatisfying(ArcaException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                        assertThat(e.getMessage()).contains("holds 120 points").contains("recorded 121");
                    });
            assertThat(scratch.collectionNames()).isEmpty();
        }
    }
}
