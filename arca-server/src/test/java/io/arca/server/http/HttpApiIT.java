package io.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.arca.app.config.ArcaConfig;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.run.RunRecord;
import io.arca.server.RunState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over real repositories on disk (see {@link ApiFixture}), through real HTTP: every route,
 * every error, both roles, tokens from files and the environment, TLS with a keystore made by keytool.
 */
class HttpApiIT {
    static final String READ = "read-token-0123456789";
    static final String READ_2 = "read-token-second";
    static final String OPERATOR = "operator-token-abcdef";
    static final Map<String, String> ENV = Map.of("ARCA_OPERATOR_TOKENS", OPERATOR + "\n");

    @TempDir
    Path dir;
    ApiFixture fixture;
    RecordingRunQueue queue;
    Path readTokens;
    final List<HttpApi> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        fixture = ApiFixture.create(dir.resolve("repos"));
        queue = new RecordingRunQueue(fixture.config.subjects().keySet(), fixture.clock);
        readTokens = dir.resolve("read.tokens");
        Files.writeString(readTokens, "# read-only tokens\n" + READ + "\n\n  " + READ_2 + "  \n");
    }

    @AfterEach
    void stop() {
        started.forEach(HttpApi::close);
    }

    ArcaConfig.Tokens tokens() {
        return new ArcaConfig.Tokens(readTokens.toString(), null, null, "ARCA_OPERATOR_TOKENS");
    }

    HttpApi.Builder builder() {
        return HttpApi.builder(fixture.config).listen("127.0.0.1:0").tokens(tokens()).environment(ENV)
                .runQueue(queue).clock(fixture.clock).refreshInterval(Duration.ZERO)
                .metrics(() -> "# TYPE arca_up gauge\narca_up 1\n");
    }

    ApiClient start(HttpApi.Builder b) {
        HttpApi api = b.build();
        started.add(api);
        api.start();
        return ApiClient.of(api);
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode e = ApiClient.json(r).get("error");
        assertThat(e.get("code").asText()).isEqualTo(code);
        assertThat(e.get("message").asText()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void healthzAndReadyzNeedNoToken() throws IOException {
        AtomicReason reason = new AtomicReason();
        ApiClient c = start(builder().readiness(reason));
        HttpResponse<String> health = c.get("/healthz", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(health).get("status").asText()).isEqualTo("ok");
        HttpResponse<String> ready = c.get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(ready).get("ready").asBoolean()).isTrue();

        reason.value = "scheduler not started";
        HttpResponse<String> notReady = c.get("/readyz", null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(ApiClient.json(notReady).get("reasons").toString()).contains("scheduler not started");

        reason.value = null;
        // a repository that cannot be read: its arca.json is gone
        Files.move(fixture.root.resolve("archive/arca.json"), fixture.root.resolve("archive/arca.json.moved"));
        HttpResponse<String> broken = c.get("/readyz", null);
        assertThat(broken.statusCode()).isEqualTo(503);
        JsonNode body = ApiClient.json(broken);
        assertThat(body.get("ready").asBoolean()).isFalse();
        assertThat(body.get("reasons").get(0).asText()).startsWith("repository 'archive' cannot be read: no arca repository");
        Files.move(fixture.root.resolve("archive/arca.json.moved"), fixture.root.resolve("archive/arca.json"));
        assertThat(c.get("/readyz", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aRepositoryThatCannotBeReadIsA503WithItsCode() {
        Map<String, ArcaConfig.RepositoryEntry> repositories = new java.util.LinkedHashMap<>(
                fixture.config.repositories());
        repositories.put("gone", new ArcaConfig.RepositoryEntry(dir.resolve("gone").toString(), null, null, null,
                null, null));
        ArcaConfig config = new ArcaConfig(repositories, fixture.config.subjects(), List.of(), null, null);
        ApiClient c = start(HttpApi.builder(config).listen("127.0.0.1:0").tokens(tokens()).environment(ENV)
                .clock(fixture.clock).refreshInterval(Duration.ZERO));
        assertError(c.get("/api/v1/backups", READ), 503, "ARCA-1100");
        assertThat(ApiClient.json(c.get("/api/v1/backups", READ)).get("error").get("message").asText())
                .isEqualTo("no arca repository at 'file:" + dir.resolve("gone") + "'");
        assertError(c.get("/api/v1/status", READ), 503, "ARCA-1100");
        HttpResponse<String> ready = c.get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ApiClient.json(ready).get("reasons").get(0).asText())
                .startsWith("repository 'gone' cannot be read: no arca repository at");
    }

    static final class AtomicReason implements Supplier<Optional<String>> {
        volatile String value;

        @Override
        public Optional<String> get() {
            return Optional.ofNullable(value);
        }
    }

    @Test
    void backupsAreListedNewestFirstAcrossRepositoriesAndBySubject() throws IOException {
        ApiClient c = start(builder());
        HttpResponse<String> r = c.get("/api/v1/backups", READ);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode all = ApiClient.json(r);
        assertThat(ids(all)).containsExactly(fixture.appNewest, fixture.legacyBackup, fixture.shopBackup, fixture.appOld);
        JsonNode newest = all.get(0);
        assertThat(newest.get("repository").asText()).isEqualTo("main");
        assertThat(newest.get("subject").asText()).isEqualTo("app");
        assertThat(newest.get("startedAt").asText()).isEqualTo(ApiFixture.NOW.minus(Duration.ofHours(2)).toString());
        assertThat(newest.get("size").asLong()).isEqualTo(12_000);
        assertThat(newest.get("sections").get(0).get("source").asText()).isEqualTo("postgresql.logical");
        // no subject label: grouped by the database
        assertThat(all.get(1).get("subject").asText()).isEqualTo("legacy");

        assertThat(ids(ApiClient.json(c.get("/api/v1/backups?subject=app", READ))))
                .containsExactly(fixture.appNewest, fixture.appOld);
        assertThat(ids(ApiClient.json(c.get("/api/v1/backups?subject=app&limit=1", READ))))
                .containsExactly(fixture.appNewest);
        assertThat(ApiClient.json(c.get("/api/v1/backups?subject=nothing", READ))).isEmpty();
        // an operator may read too, and a second token of the read file works
        assertThat(c.get("/api/v1/backups", OPERATOR).statusCode()).isEqualTo(200);
        assertThat(c.get("/api/v1/backups", READ_2).statusCode()).isEqualTo(200);

        // a backup taken after the start is listed at once (refresh interval zero)
        BackupManifest later = fixture.backup(fixture.archive, "reports", "reports", ApiFixture.NOW.minusSeconds(60),
                100);
        assertThat(ids(ApiClient.json(c.get("/api/v1/backups?subject=reports", READ))))
                .containsExactly(later.backupId());
        assertThat(ApiClient.json(c.get("/api/v1/backups?subject=reports", READ)).get(0).get("repository").asText())
                .isEqualTo("archive");

        assertError(c.get("/api/v1/backups?subjcet=app", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/backups?limit=0", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/backups?limit=x", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/backups?subject=a&subject=b", READ), 400, "ARCA-1002");
    }

    @Test
    void theCatalogIsRefreshedInTheBackground() throws Exception {
        ApiClient c = start(builder().refreshInterval(Duration.ofMillis(200)).clock(java.time.Clock.systemUTC()));
        assertThat(ApiClient.json(c.get("/api/v1/backups", READ))).hasSize(4);
        BackupManifest later = fixture.backup(fixture.main, "app", "app", Instant.now(), 100);
        fixture.clock.set(ApiFixture.NOW);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> seen;
        do {
            seen = ids(ApiClient.json(c.get("/api/v1/backups", READ)));
        } while (!seen.contains(later.backupId()) && System.nanoTime() < deadline);
        assertThat(seen).as("a backup committed after start appears after a refresh").contains(later.backupId());
        assertThat(c.get("/api/v1/backups/" + later.backupId(), READ).statusCode()).isEqualTo(200);

        // the status too: a failed backup of app shows after a refresh
        JsonNode before = ApiClient.json(c.get("/api/v1/status", READ)).get("subjects").get(0);
        assertThat(before.get("runProblems")).isEmpty();
        fixture.run(fixture.main, "backup", "app", "schedule", Instant.now(), RunRecord.FAILED, "ARCA-1500",
                "cannot connect", null, null);
        JsonNode after;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            after = ApiClient.json(c.get("/api/v1/status", READ)).get("subjects").get(0);
        } while (after.get("runProblems").isEmpty() && System.nanoTime() < deadline);
        assertThat(after.get("runProblems").toString()).contains("cannot connect");
    }

    @Test
    void aBackupCommittedSinceTheLastRefreshIsFoundById() throws Exception {
        ApiClient c = start(builder().refreshInterval(Duration.ofHours(1)));
        assertThat(ApiClient.json(c.get("/api/v1/backups", READ))).hasSize(4);
        BackupManifest later = fixture.backup(fixture.main, "app", "app", ApiFixture.NOW.minusSeconds(30), 100);
        fixture.clock.set(ApiFixture.NOW);
        assertThat(ApiClient.json(c.get("/api/v1/backups", READ))).as("listed after the next refresh").hasSize(4);
        assertThat(ApiClient.json(c.get("/api/v1/backups/" + later.backupId(), READ)).get("id").asText())
                .isEqualTo(later.backupId());
    }

    @Test
    void oneBackupShowsItsManifest() {
        ApiClient c = start(builder());
        HttpResponse<String> r = c.get("/api/v1/backups/" + fixture.appNewest, READ);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = ApiClient.json(r);
        assertThat(b.get("id").asText()).isEqualTo(fixture.appNewest);
        assertThat(b.get("repositories").toString()).isEqualTo("[\"main\"]");
        assertThat(b.get("labels").get("subject").asText()).isEqualTo("app");
        assertThat(b.get("tools").get("arca").asText()).isEqualTo("test");
        JsonNode artifact = b.get("artifacts").get(0);
        assertThat(artifact.get("file").asText()).isEqualTo("app.dump.zst");
        assertThat(artifact.get("size").asLong()).isEqualTo(12_000);
        assertThat(artifact.get("sha256").asText()).hasSize(64);
        assertThat(artifact.has("encryption")).isFalse();
        assertThat(b.get("kind").asText()).isEqualTo("logical");
        assertThat(b.get("database").get("name").asText()).isEqualTo("app");
        assertThat(b.get("sections").get(0).get("details").get("database").get("name").asText()).isEqualTo("app");

        assertError(c.get("/api/v1/backups/20200101T000000Z-00000000", READ), 404, "ARCA-1004");
        assertError(c.get("/api/v1/backups/not-an-id", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/backups/" + fixture.appNewest + "?x=1", READ), 400, "ARCA-1002");
    }

    @Test
    void runsComeFromTheRecordsAndTheQueue() {
        ApiClient c = start(builder());
        JsonNode runs = ApiClient.json(c.get("/api/v1/runs", READ));
        assertThat(ids(runs)).containsExactly(fixture.shopBackupRun, fixture.appBackupRun, fixture.appVerifyOkRun,
                fixture.appVerifyRun);
        JsonNode failed = runs.get(0);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("errorCode").asText()).isEqualTo("ARCA-1500");
        assertThat(failed.get("message").asText()).startsWith("cannot connect to postgresql://db:5432/shop");
        assertThat(failed.get("repositories").toString()).isEqualTo("[\"main\"]");
        assertThat(failed.get("durationMillis").asLong()).isEqualTo(95_000);

        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?subject=app", READ))))
                .containsExactly(fixture.appBackupRun, fixture.appVerifyOkRun, fixture.appVerifyRun);
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?job=verify", READ))))
                .containsExactly(fixture.appVerifyOkRun, fixture.appVerifyRun);
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?outcome=failed", READ))))
                .containsExactly(fixture.shopBackupRun, fixture.appVerifyRun);
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?since=90m", READ)))).containsExactly(fixture.shopBackupRun);
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?since=" + ApiFixture.NOW.minus(Duration.ofHours(3)), READ))))
                .containsExactly(fixture.shopBackupRun, fixture.appBackupRun, fixture.appVerifyOkRun);
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?limit=1", READ)))).containsExactly(fixture.shopBackupRun);

        // a run queued in this server comes first, in state queued
        RunState queued = queue.submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.SCHEDULE);
        JsonNode withQueued = ApiClient.json(c.get("/api/v1/runs?subject=app", READ));
        assertThat(withQueued.get(0).get("runId").asText()).isEqualTo(queued.runId());
        assertThat(withQueued.get(0).get("state").asText()).isEqualTo("queued");
        assertThat(ids(ApiClient.json(c.get("/api/v1/runs?outcome=queued", READ)))).containsExactly(queued.runId());

        assertError(c.get("/api/v1/runs?since=yesterday", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/runs?job=backups", READ), 400, "ARCA-1002");
        assertError(c.get("/api/v1/runs?outcome=ok", READ), 400, "ARCA-1002");
    }

    @Test
    void oneRunFromItsRecord() {
        ApiClient c = start(builder());
        JsonNode run = ApiClient.json(c.get("/api/v1/runs/" + fixture.appVerifyRun, READ));
        assertThat(run.get("job").asText()).isEqualTo("verify");
        assertThat(run.get("state").asText()).isEqualTo("failed");
        assertThat(run.get("errorCode").asText()).isEqualTo("ARCA-1600");
        assertThat(run.get("backupId").asText()).isEqualTo(fixture.appOld);
        assertError(c.get("/api/v1/runs/20200101T000000Z-00000000", READ), 404, "ARCA-1700");
        assertError(c.get("/api/v1/runs/..%2F..%2Fetc", READ), 400, "ARCA-1002");
    }

    @Test
    void drillsWithTheirSubjects() {
        ApiClient c = start(builder());
        JsonNode drills = ApiClient.json(c.get("/api/v1/drills", READ));
        assertThat(ids(drills)).containsExactly(fixture.appDrill, fixture.shopDrill);
        assertThat(drills.get(0).get("subject").asText()).isEqualTo("app");
        assertThat(drills.get(0).get("verdict").asText()).isEqualTo("pass");
        assertThat(drills.get(0).get("rtoMillis").asLong()).isEqualTo(Duration.ofMinutes(20).toMillis());
        JsonNode shop = ApiClient.json(c.get("/api/v1/drills?subject=shop", READ));
        assertThat(ids(shop)).containsExactly(fixture.shopDrill);
        assertThat(shop.get(0).get("failure").asText()).isEqualTo("restore failed: pg_restore exited 1");
    }

    @Test
    void statusJudgesEachSubjectAsArcaStatusDoes() {
        ApiClient c = start(builder());
        JsonNode status = ApiClient.json(c.get("/api/v1/status", READ));
        assertThat(status.get("now").asText()).isEqualTo(ApiFixture.NOW.toString());
        assertThat(status.get("ok").asBoolean()).isFalse();
        assertThat(status.get("problems")).isEmpty();
        JsonNode subjects = status.get("subjects");
        // the subjects of arca.yaml in its order, then the others the repositories name
        List<String> names = new ArrayList<>();
        subjects.forEach(s -> names.add(s.get("subject").asText()));
        assertThat(names).containsExactly("app", "shop", "reports", "legacy");

        JsonNode app = subjects.get(0);
        assertThat(app.get("repository").asText()).isEqualTo("main");
        assertThat(app.get("backupId").asText()).isEqualTo(fixture.appNewest);
        assertThat(app.get("backupAgeSeconds").asLong()).isEqualTo(7_200);
        assertThat(app.get("rpoMet").asBoolean()).isTrue();
        assertThat(app.get("rpoSeconds").asLong()).isEqualTo(36 * 3600);
        assertThat(app.get("recoverable").get("oldest").asText())
                .isEqualTo(ApiFixture.NOW.minus(Duration.ofHours(50)).toString());
        assertThat(app.get("recoverable").get("newest").asText())
                .isEqualTo(ApiFixture.NOW.minus(Duration.ofHours(2)).toString());
        assertThat(app.get("lastDrillId").asText()).isEqualTo(fixture.appDrill);
        assertThat(app.get("measuredRtoMillis").asLong()).isEqualTo(1_200_000);
        assertThat(app.get("rtoMet").asBoolean()).isTrue();
        assertThat(app.get("runs").get("backup").get("last").get("runId").asText()).isEqualTo(fixture.appBackupRun);
        assertThat(app.get("runs").get("verify").get("lastFailure").get("runId").asText())
                .isEqualTo(fixture.appVerifyRun);
        // a verify failed, and a later one succeeded: all is well
        assertThat(app.get("runs").get("verify").get("last").get("runId").asText()).isEqualTo(fixture.appVerifyOkRun);
        assertThat(app.get("problems")).as(app.toString()).isEmpty();
        assertThat(app.get("ok").asBoolean()).isTrue();

        JsonNode shop = subjects.get(1);
        assertThat(shop.get("ok").asBoolean()).isFalse();
        assertThat(shop.get("rpoMet").asBoolean()).isFalse();
        assertThat(shop.get("problems").toString()).contains("newest backup is 40h old, RPO is 24h",
                "last drill " + fixture.shopDrill + " failed: restore failed", "no drill passed in the last 7d",
                "last backup failed at 2026-03-10 11:01:35Z: cannot connect");

        JsonNode reports = subjects.get(2);
        assertThat(reports.get("repository").asText()).isEqualTo("archive");
        assertThat(reports.has("backupId")).isFalse();
        assertThat(reports.get("problems").toString()).isEqualTo("[\"no backup\"]");
        assertThat(reports.has("drillWithinSeconds")).as("drill-within none").isFalse();

        JsonNode legacy = subjects.get(3);
        assertThat(legacy.get("backupId").asText()).isEqualTo(fixture.legacyBackup);
        assertThat(legacy.has("rpoSeconds")).as("no objectives for a subject arca.yaml does not name").isFalse();
    }

    @Test
    void triggersQueueARunForAnOperator() {
        ApiClient c = start(builder());
        HttpResponse<String> r = c.post("/api/v1/subjects/app/backup", OPERATOR, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode run = ApiClient.json(r);
        String id = run.get("runId").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/runs/" + id);
        assertThat(run.get("state").asText()).isEqualTo("queued");
        assertThat(run.get("job").asText()).isEqualTo("backup");
        assertThat(run.get("trigger").asText()).isEqualTo("api");
        assertThat(queue.submissions).containsExactly(
                new RecordingRunQueue.Submission(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API));

        assertThat(ApiClient.json(c.get("/api/v1/runs/" + id, READ)).get("state").asText()).isEqualTo("queued");
        queue.start(id);
        JsonNode running = ApiClient.json(c.get("/api/v1/runs/" + id, READ));
        assertThat(running.get("state").asText()).isEqualTo("running");
        assertThat(running.get("startedAt").asText()).isEqualTo(ApiFixture.NOW.toString());
        // finished: its record in the repository answers
        RunRecord record = new RunRecord(RunRecord.FORMAT_VERSION, id, "backup", "app", "api", "test-host",
                ApiFixture.NOW, ApiFixture.NOW.plusSeconds(30), RunRecord.SUCCEEDED, null, 0, null, 10L, 5L,
                fixture.appNewest, Map.of());
        fixture.main.runs().write(record);
        queue.finish(id, record);
        JsonNode done = ApiClient.json(c.get("/api/v1/runs/" + id, READ));
        assertThat(done.get("state").asText()).isEqualTo("succeeded");
        assertThat(done.get("repositories").toString()).isEqualTo("[\"main\"]");

        assertThat(c.post("/api/v1/subjects/shop/verify", OPERATOR, "{}").statusCode()).isEqualTo(202);
        assertThat(c.post("/api/v1/subjects/app/drill", OPERATOR, " ").statusCode()).isEqualTo(400);
        assertThat(c.post("/api/v1/subjects/app/drill", OPERATOR, "").statusCode()).isEqualTo(202);
        assertThat(queue.submissions).extracting(RecordingRunQueue.Submission::job)
                .containsExactly(RunRecord.Job.BACKUP, RunRecord.Job.VERIFY, RunRecord.Job.DRILL);
    }

    @Test
    void triggerErrors() {
        ApiClient c = start(builder());
        assertError(c.post("/api/v1/subjects/nothing/backup", OPERATOR, null), 404, "ARCA-1700");
        // the queue refuses: the subject has nothing to run for the job
        assertError(c.post("/api/v1/subjects/reports/drill", OPERATOR, null), 400, "ARCA-1002");
        assertError(c.post("/api/v1/subjects/app/backup", OPERATOR, "not json"), 400, "ARCA-1002");
        assertError(c.post("/api/v1/subjects/app/backup", OPERATOR, "{\"physical\": true}"), 400, "ARCA-1002");
        assertError(c.post("/api/v1/subjects/app/backup", OPERATOR, "x".repeat(HttpApi.MAX_BODY_BYTES + 1)), 413,
                "ARCA-1002");
        // chunked, without Content-Length: counted while read
        HttpResponse<String> chunked = c.send(c.request("/api/v1/subjects/app/backup", OPERATOR)
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[HttpApi.MAX_BODY_BYTES + 10])))
                .build());
        assertError(chunked, 413, "ARCA-1002");
        HttpResponse<String> get = c.get("/api/v1/subjects/app/backup", OPERATOR);
        assertError(get, 405, "ARCA-1002");
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(queue.submissions).isEmpty();

        queue.refuse = new ArcaException(ErrorCode.LOCK_HELD, "this replica does not lead: 'arca-1' does",
                "send triggers to the leader");
        assertError(c.post("/api/v1/subjects/app/backup", OPERATOR, null), 409, "ARCA-1200");
        queue.refuse = new ArcaException(ErrorCode.FAILURE, "the server is shutting down: no new runs");
        assertError(c.post("/api/v1/subjects/app/backup", OPERATOR, null), 503, "ARCA-1000");
        queue.refuse = null;

        ApiClient noQueue = start(builder().runQueue(null));
        assertError(noQueue.post("/api/v1/subjects/app/backup", OPERATOR, null), 503, "ARCA-1000");
    }

    @Test
    void tokensAndRoles() {
        ApiClient c = start(builder());
        HttpResponse<String> none = c.get("/api/v1/status", null);
        assertError(none, 401, "ARCA-1701");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"arca\"");

        HttpResponse<String> wrong = c.get("/api/v1/status", "wrong-token-secret");
        assertError(wrong, 401, "ARCA-1701");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"arca\", error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain("wrong-token-secret");
        // a token that differs from a real one in its last character only
        assertError(c.get("/api/v1/status", READ.substring(0, READ.length() - 1) + "x"), 401, "ARCA-1701");
        assertError(c.get("/api/v1/status", READ + "x"), 401, "ARCA-1701");

        HttpResponse<String> basic = c.send(c.request("/api/v1/status", null)
                .header("Authorization", "Basic dXNlcjpwYXNz").GET().build());
        assertError(basic, 401, "ARCA-1701");
        assertThat(basic.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_request");

        HttpResponse<String> readOnTrigger = c.post("/api/v1/subjects/app/backup", READ, null);
        assertError(readOnTrigger, 403, "ARCA-1702");
        assertThat(readOnTrigger.body()).doesNotContain(READ);
        assertError(c.post("/api/v1/subjects/app/backup", null, null), 401, "ARCA-1701");
        assertThat(queue.submissions).isEmpty();

        for (String path : List.of("/api/v1/backups", "/api/v1/backups/" + fixture.appNewest, "/api/v1/runs",
                "/api/v1/runs/" + fixture.appBackupRun, "/api/v1/drills", "/api/v1/status")) {
            assertError(c.get(path, null), 401, "ARCA-1701");
            assertThat(c.get(path, READ).statusCode()).as(path).isEqualTo(200);
            assertThat(c.get(path, OPERATOR).statusCode()).as(path).isEqualTo(200);
        }
        // public: probes, the page, the description; /metrics unless configured otherwise
        for (String path : List.of("/healthz", "/readyz", "/", "/app.js", "/app.css", "/api/v1/openapi.json",
                "/metrics")) {
            assertThat(c.get(path, null).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void unknownPathsAndMethods() {
        ApiClient c = start(builder());
        assertError(c.get("/api/v1/nothing", READ), 404, "ARCA-1700");
        assertError(c.get("/api/v2/backups", null), 404, "ARCA-1700");
        assertError(c.get("/index.php", null), 404, "ARCA-1700");
        HttpResponse<String> post = c.post("/api/v1/backups", OPERATOR, null);
        assertError(post, 405, "ARCA-1002");
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertError(c.method("DELETE", "/api/v1/backups/" + fixture.appNewest, OPERATOR), 405, "ARCA-1002");
        assertError(c.get("/api/v1/backups?" + "a=1&".repeat(30), READ), 400, "ARCA-1002");
    }

    @Test
    void metricsAreServedAsTextAndCanNeedAToken() {
        ApiClient open = start(builder());
        HttpResponse<String> m = open.get("/metrics", null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(m.body()).isEqualTo("# TYPE arca_up gauge\narca_up 1\n");

        ApiClient guarded = start(builder().metricsRequireToken(true));
        assertError(guarded.get("/metrics", null), 401, "ARCA-1701");
        assertThat(guarded.get("/metrics", READ).statusCode()).isEqualTo(200);

        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("ARCA_METRICS_AUTH", "token");
        assertError(start(builder().environment(env)).get("/metrics", null), 401, "ARCA-1701");
        env.put("ARCA_METRICS_AUTH", "maybe");
        assertThatThrownBy(() -> builder().environment(env).build()).isInstanceOf(UsageException.class)
                .hasMessageContaining("ARCA_METRICS_AUTH");

        assertError(start(builder().metrics(null)).get("/metrics", null), 503, "ARCA-1000");
        // a failure inside the server: 500 with ARCA-1001, and no stack trace in the answer
        HttpResponse<String> internal = start(builder().metrics(() -> {
            throw new IllegalStateException("boom at io.arca.Secret");
        })).get("/metrics", null);
        assertError(internal, 500, "ARCA-1001");
        assertThat(internal.body()).doesNotContain("boom").doesNotContain("io.arca");
    }

    @Test
    void withoutTokensTheApiIsOpenOnLoopbackOnly() {
        ApiClient c = start(builder().tokens(null));
        assertThat(c.get("/api/v1/status", null).statusCode()).isEqualTo(200);
        assertThat(c.post("/api/v1/subjects/app/backup", null, null).statusCode()).isEqualTo(202);

        assertThatThrownBy(() -> builder().tokens(null).listen("0.0.0.0:0").build())
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("no API token is configured")
                .hasMessageContaining("0.0.0.0:0");
        // with tokens, any address will do (built, not started: nothing is bound)
        builder().listen("0.0.0.0:0").build().close();
    }

    @Test
    void badTokenSourcesStopTheStart() throws IOException {
        assertThatThrownBy(() -> builder().tokens(new ArcaConfig.Tokens(null, "ARCA_READ_TOKENS", null, null)).build())
                .isInstanceOf(UsageException.class).hasMessageContaining("ARCA_READ_TOKENS is not set");
        assertThatThrownBy(() -> builder().tokens(new ArcaConfig.Tokens(dir.resolve("missing").toString(), null,
                null, null)).build())
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCAL_IO));
        Path empty = Files.writeString(dir.resolve("empty.tokens"), "# none yet\n\n");
        assertThatThrownBy(() -> builder().tokens(new ArcaConfig.Tokens(empty.toString(), null, null, null)).build())
                .isInstanceOf(UsageException.class).hasMessageContaining("holds no token");
        assertThatThrownBy(() -> builder().listen("localhost").build()).isInstanceOf(UsageException.class)
                .hasMessageContaining("not host:port");
        assertThatThrownBy(() -> builder().listen("127.0.0.1:70000").build()).isInstanceOf(UsageException.class);
    }

    @Test
    void thePageIsServedWithSecurityHeaders() {
        ApiClient c = start(builder());
        HttpResponse<String> page = c.get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.body()).contains("<table id=\"subjects\">", "app.js");
        assertThat(c.get("/app.js", null).headers().firstValue("Content-Type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(page.headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void tlsWithAKeystoreMadeByKeytool() throws Exception {
        Path keystore = dir.resolve("server.p12");
        TestTls.keystore(keystore, "changeit-123");
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("ARCA_TLS_PASSWORD", "changeit-123");
        HttpApi api = builder().environment(env).tls(new ArcaConfig.Tls(keystore.toString(), "ARCA_TLS_PASSWORD"))
                .build();
        started.add(api);
        api.start();
        assertThat(api.tls()).isTrue();
        ApiClient c = new ApiClient("https://127.0.0.1:" + api.port(), TestTls.trusting(keystore, "changeit-123"));
        HttpResponse<String> status = c.get("/api/v1/status", READ);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(c.post("/api/v1/subjects/app/verify", OPERATOR, null).statusCode()).isEqualTo(202);
        assertError(c.get("/api/v1/status", null), 401, "ARCA-1701");

        // plain HTTP to the TLS port gets no answer
        ApiClient plain = new ApiClient("http://127.0.0.1:" + api.port());
        assertThatThrownBy(() -> plain.get("/healthz", null)).isInstanceOf(RuntimeException.class);
        // a client that does not trust the certificate refuses it
        HttpClient untrusting = HttpClient.newHttpClient();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port()
                + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);

        env.put("ARCA_TLS_PASSWORD", "wrong");
        assertThatThrownBy(() -> builder().environment(env)
                .tls(new ArcaConfig.Tls(keystore.toString(), "ARCA_TLS_PASSWORD")).build())
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.KEY);
                    assertThat(e.getMessage()).contains("the password does not open").doesNotContain("wrong");
                });
        assertThatThrownBy(() -> builder().tls(new ArcaConfig.Tls(keystore.toString(), "ARCA_UNSET")).build())
                .isInstanceOf(UsageException.class).hasMessageContaining("ARCA_UNSET is not set");
    }

    @Test
    void closeStopsListening() {
        HttpApi api = builder().build();
        api.start();
        ApiClient c = ApiClient.of(api);
        assertThat(c.get("/healthz", null).statusCode()).isEqualTo(200);
        api.close();
        assertThatThrownBy(() -> c.get("/healthz", null)).isInstanceOf(RuntimeException.class);
        assertThat(api.routes(true)).contains("GET /api/v1/backups", "POST /api/v1/subjects/{subject}/backup")
                .doesNotContain("GET /app.js");
    }

    /** The {@code id}, {@code runId} or {@code drillId} of each item. */
    static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.has("id") ? n.get("id").asText()
                : n.has("runId") ? n.get("runId").asText() : n.get("drillId").asText()));
        return ids;
    }

    static Set<String> set(String... values) {
        return Set.of(values);
    }
}
