package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobItem;
import com.fasterxml.jackson.databind.JsonNode;
import io.arca.testkit.azure.AzuriteServer;
import io.arca.testkit.pg.DatabaseFingerprint;
import io.arca.testkit.pg.PostgresExtension;
import io.arca.testkit.pg.SampleDataset;
import io.arca.testkit.s3.S3Server;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole logical round trip (init, backup, list, show, verify, restore) and bad input with a
 * repository on each object store: S3 (s3proxy in this JVM) and Azure (Azurite) through the real
 * {@code arca.jar} in a separate process, configured by URL and environment as users configure it;
 * GCS through the CLI in this JVM, with {@code gs://} served by Google's in-memory fake (no GCS
 * emulator runs here; {@code LocalGcsStorageProvider} is registered for this module's tests).
 */
class CloudRepositoryIT {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    static String source;
    static DatabaseFingerprint sourceFingerprint;

    @BeforeAll
    static void loadSource() throws Exception {
        source = PG.createDatabase("cloud_source");
        try (Connection c = PG.connect(source)) {
            SampleDataset.load(c);
            sourceFingerprint = DatabaseFingerprint.of(c);
        }
    }

    static String db(String name) {
        return ArcaRun.url(PG.cluster(), name);
    }

    /** One store: how to run arca against it. */
    abstract static class RoundTrip {
        abstract ArcaRun arca(String... args) throws Exception;

        abstract String newRepository();

        @Test
        void backupListShowVerifyRestore() throws Exception {
            String repo = newRepository();
            ArcaRun init = arca("init", "--repo", repo);
            assertThat(init.exit()).as(init.toString()).isZero();

            ArcaRun backup = arca("backup", "--repo", repo, "--db", db(source), "-o", "json");
            assertThat(backup.exit()).as(backup.toString()).isZero();
            String id = LogicalRoundTripIT.json(backup.out()).get("id").asText();

            ArcaRun list = arca("list", "--repo", repo, "-o", "json");
            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(LogicalRoundTripIT.json(list.out()).get(0).get("id").asText()).isEqualTo(id);

            ArcaRun show = arca("show", id, "--repo", repo, "-o", "json");
            assertThat(show.exit()).as(show.toString()).isZero();
            JsonNode manifest = LogicalRoundTripIT.json(show.out());
            assertThat(manifest.get("database").get("tables").size()).isEqualTo(sourceFingerprint.tables().size());

            ArcaRun verify = arca("verify", "--repo", repo);
            assertThat(verify.exit()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("backup " + id + " verified");

            String target = "restored_" + UUID.randomUUID().toString().substring(0, 8);
            ArcaRun restore = arca("restore", "latest", "--repo", repo, "--to", db(target), "--jobs", "2");
            assertThat(restore.exit()).as(restore.toString()).isZero();
            try (Connection c = PG.connect(target)) {
                assertThat(DatabaseFingerprint.of(c)).isEqualTo(sourceFingerprint);
            }

            ArcaRun prune = arca("prune", "--repo", repo, "--keep-last", "1", "-n");
            assertThat(prune.exit()).as(prune.toString()).isZero();
            assertThat(prune.out()).containsPattern("keep +" + id);
        }

        @Test
        void anUninitialisedRepositoryExits10() throws Exception {
            ArcaRun list = arca("list", "--repo", newRepository());
            assertThat(list.exit()).as(list.toString()).isEqualTo(10);
            assertThat(list.err()).contains("no arca repository at").contains("arca init");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnS3 extends RoundTrip {
        S3Server server;

        @BeforeAll
        void start() {
            server = S3Server.start();
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Override
        ArcaRun arca(String... args) throws Exception {
            return ArcaProcess.run(server.environment(), args);
        }

        @Override
        String newRepository() {
            String bucket = "b" + UUID.randomUUID().toString().substring(0, 8);
            server.createBucket(bucket);
            return server.url(bucket, "pg/app");
        }

        @Test
        void badInputGivesOneLineAndExit13() throws Exception {
            String missingBucket = server.url("no-such-bucket", "pg");
            assertStorageError(arca("init", "--repo", missingBucket), "bucket 'no-such-bucket'");

            Map<String, String> wrongKey = new HashMap<>(server.environment());
            wrongKey.put("AWS_SECRET_ACCESS_KEY", "wrong");
            String repo = newRepository();
            assertStorageError(ArcaProcess.run(wrongKey, "init", "--repo", repo), "credentials");

            String unreachable = "s3://b/p?endpoint=http://127.0.0.1:" + closedPort() + "&path-style=true";
            assertStorageError(arca("list", "--repo", unreachable), "127.0.0.1");

            assertStorageError(arca("list", "--repo", "s4://bucket/prefix"), "unknown repository URL scheme 's4'");

            // s3proxy has no lifecycle API (501): the one-line error says so (real S3 has it, see S3StorageCloudIT)
            String lifecycleRepo = newRepository();
            assertThat(arca("init", "--repo", lifecycleRepo).exit()).isZero();
            ArcaRun lifecycle = arca("storage", "lifecycle", "--repo", lifecycleRepo, "--transition-days", "30",
                    "--storage-class", "GLACIER");
            assertThat(lifecycle.exit()).as(lifecycle.toString()).isEqualTo(13);
            assertThat(lifecycle.err()).startsWith("error: ").contains("hint: ");
            assertStorageError(arca("list", "--repo", server.url("b", "p") + "&colour=blue"), "unknown option 'colour'");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnAzure extends RoundTrip {
        AzuriteServer server;

        @BeforeAll
        void start() {
            server = AzuriteServer.start();
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Override
        ArcaRun arca(String... args) throws Exception {
            return ArcaProcess.run(server.environment(), args);
        }

        @Override
        String newRepository() {
            return server.repositoryUrl(server.createContainer(), "pg/app");
        }

        @Test
        void restoringABackupInTheArchiveTierSaysHowToRehydrate() throws Exception {
            String container = server.createContainer();
            String repo = server.repositoryUrl(container, "pg");
            assertThat(arca("init", "--repo", repo).exit()).isZero();
            ArcaRun backup = arca("backup", "--repo", repo, "--db", db(source), "-o", "json");
            assertThat(backup.exit()).as(backup.toString()).isZero();
            // what a lifecycle management policy does to old backups: the artifacts go to Archive
            BlobContainerClient client = new BlobServiceClientBuilder().connectionString(server.connectionString())
                    .buildClient().getBlobContainerClient(container);
            for (BlobItem blob : client.listBlobs()) {
                if (blob.getName().contains("/backups/") && !blob.getName().endsWith("/manifest.json")) {
                    client.getBlobClient(blob.getName()).setAccessTier(AccessTier.ARCHIVE);
                }
            }

            assertThat(arca("list", "--repo", repo).exit()).as("manifests stay readable").isZero();
            ArcaRun restore = arca("restore", "latest", "--repo", repo, "--to", db("never_created"));
            assertThat(restore.exit()).as(restore.toString()).isEqualTo(13);
            assertThat(restore.err()).contains("Archive tier").contains("az storage blob set-tier")
                    .contains("code: ARCA-1404");
            try (Connection c = PG.connect(source)) {
                assertThat(c.createStatement().executeQuery(
                        "select 1 from pg_database where datname like 'never_created%'").next())
                        .as("nothing was created").isFalse();
            }
        }

        @Test
        void badInputGivesOneLineAndExit13() throws Exception {
            assertStorageError(arca("init", "--repo", server.repositoryUrl("no-such-container", "pg")),
                    "container 'no-such-container'");

            Map<String, String> wrongKey = Map.of("AZURE_STORAGE_CONNECTION_STRING", server.connectionString()
                    .replace(server.accountKey(), "d3JvbmcK" + server.accountKey().substring(8)));
            assertStorageError(ArcaProcess.run(wrongKey, "init", "--repo", newRepository()), "denied");

            String repo = newRepository();
            assertThat(arca("init", "--repo", repo).exit()).isZero();
            ArcaRun policy = arca("storage", "lifecycle", "--repo", repo, "--transition-days", "365", "--storage-class",
                    "archive", "--expire-days", "2555");
            assertThat(policy.exit()).as(policy.toString()).isZero();
            JsonNode rule = LogicalRoundTripIT.json(policy.out()).get("rules").get(0);
            assertThat(rule.get("definition").get("filters").get("prefixMatch").get(0).asText())
                    .isEqualTo(repo.substring("azure://".length()) + "/backups/");
            assertThat(rule.get("definition").get("actions").get("baseBlob").get("tierToArchive")
                    .get("daysAfterModificationGreaterThan").asInt()).isEqualTo(365);
            assertThat(policy.err()).contains("az storage account management-policy create");

            Map<String, String> unreachable = Map.of("AZURE_STORAGE_CONNECTION_STRING", server.connectionString()
                    .replace(":" + server.port() + "/", ":" + closedPort() + "/"));
            assertStorageError(ArcaProcess.run(unreachable, "list", "--repo", newRepository()), "127.0.0.1");
        }
    }

    @Nested
    class OnGcs extends RoundTrip {
        @Override
        ArcaRun arca(String... args) {
            return ArcaRun.of(args);
        }

        @Override
        String newRepository() {
            return "gs://bucket-" + UUID.randomUUID().toString().substring(0, 8) + "/pg/app";
        }

        @Test
        void lifecycleRuleIsSetForTheBackupsAndShown() {
            String repo = newRepository();
            assertThat(arca("init", "--repo", repo).exit()).isZero();
            ArcaRun none = arca("storage", "lifecycle", "--repo", repo);
            assertThat(none.exit()).as(none.toString()).isZero();
            assertThat(none.out()).contains("no lifecycle rule applies");

            ArcaRun dry = arca("storage", "lifecycle", "--repo", repo, "--transition-days", "90", "--storage-class",
                    "COLDLINE", "--expire-days", "400", "--dry-run");
            assertThat(dry.out()).contains("would set rule");
            assertThat(arca("storage", "lifecycle", "--repo", repo, "-o", "json").out()).isEqualTo("[ ]\n");

            ArcaRun set = arca("storage", "lifecycle", "--repo", repo, "--transition-days", "90", "--storage-class",
                    "COLDLINE", "--expire-days", "400");
            assertThat(set.exit()).as(set.toString()).isZero();
            JsonNode rules = LogicalRoundTripIT.json(arca("storage", "lifecycle", "--repo", repo, "-o", "json").out());
            assertThat(rules).hasSize(1);
            assertThat(rules.get(0).get("prefix").asText()).isEqualTo("pg/app/backups/");
            assertThat(rules.get(0).get("transitionDays").asInt()).isEqualTo(90);
            assertThat(rules.get(0).get("storageClass").asText()).isEqualTo("COLDLINE");
            assertThat(rules.get(0).get("expireDays").asInt()).isEqualTo(400);

        }

        @Test
        void aLocalRepositoryHasNoLifecycleRules(@TempDir Path dir) {
            assertThat(arca("init", "--repo", dir.toString()).exit()).isZero();
            ArcaRun local = arca("storage", "lifecycle", "--repo", dir.toString(), "--transition-days", "1",
                    "--storage-class", "COLDLINE");
            assertThat(local.exit()).as(local.toString()).isEqualTo(2);
            assertThat(local.err()).contains("has no bucket lifecycle rules");
        }
    }

    static void assertStorageError(ArcaRun run, String expected) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(13);
        assertThat(run.err()).as(run.toString()).startsWith("error: ").contains(expected).contains("\nhint: ")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
