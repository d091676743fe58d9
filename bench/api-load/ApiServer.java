import io.arca.app.config.ArcaConfig;
import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.source.Section;
import io.arca.core.source.Subject;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.server.http.HttpApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The server side of the API benchmark, run from the Arca jar:
 * {@code java -cp arca.jar ApiServer.java --dir DIR --backups 1000 --subjects 20 --port-file FILE}.
 * Writes a repository of that many logical backups (and one run record each) through Arca's own
 * classes, unless {@code DIR/repo} already holds one, then serves it with {@link HttpApi} on a free
 * loopback port (written to the port file) with one read token from {@code ARCA_BENCH_TOKEN}, until killed.
 */
public final class ApiServer {
    public static void main(String[] args) throws Exception {
        Path dir = null;
        int backups = 1000;
        int subjects = 20;
        Path portFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--backups" -> backups = Integer.parseInt(args[i + 1]);
                case "--subjects" -> subjects = Integer.parseInt(args[i + 1]);
                case "--port-file" -> portFile = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null || portFile == null) {
            throw new IllegalArgumentException("--dir and --port-file are required");
        }
        Path repo = dir.resolve("repo");
        if (!Files.exists(repo.resolve("arca.json"))) {
            long t0 = System.nanoTime();
            populate(repo, backups, subjects);
            System.err.printf("wrote %d backups and %d run records in %.1f s%n", backups, backups,
                    (System.nanoTime() - t0) / 1e9);
        }
        Map<String, ArcaConfig.SubjectEntry> subjectEntries = new LinkedHashMap<>();
        for (int s = 0; s < subjects; s++) {
            subjectEntries.put("app" + s, new ArcaConfig.SubjectEntry(List.of("main"), "postgresql://db/app" + s, null,
                    null, null, null, new ArcaConfig.Objectives("36h", "4h", "7d"), null, null));
        }
        ArcaConfig config = new ArcaConfig(Map.of("main", new ArcaConfig.RepositoryEntry(repo.toString(), null, null,
                null, null, null)), subjectEntries, List.of(), null, null);
        HttpApi api = HttpApi.builder(config).listen("127.0.0.1:0")
                .tokens(new ArcaConfig.Tokens(null, "ARCA_BENCH_TOKEN", null, null)).build();
        api.start();
        Files.writeString(portFile, Integer.toString(api.port()));
        System.err.println("serving http://127.0.0.1:" + api.port() + "/api/v1/backups");
        Thread.currentThread().join();
    }

    private static void populate(Path dir, int backups, int subjects) throws Exception {
        Storage storage = Storages.open(StorageUrl.parse(dir.toString()));
        Repository.init(storage, new RepositoryConfig.Defaults("zstd:3"), Clock.systemUTC());
        Random random = new Random(42);
        Instant now = Instant.now();
        for (int i = 0; i < backups; i++) {
            // one every 2 hours back from now, spread over the subjects
            Instant at = now.minus(Duration.ofHours(2L * (backups - i)));
            Repository r = Repository.open(storage, Clock.fixed(at, ZoneOffset.UTC));
            String database = "app" + (i % subjects);
            Repository.PendingBackup p = r.begin();
            byte[] content = new byte[1024];
            random.nextBytes(content);
            ArtifactDigest digest;
            try (ArtifactOutput out = p.openArtifact(database + ".dump", CodecSpec.parse("zstd"))) {
                out.write(content);
                digest = out.finish();
            }
            List<ArtifactRecord> artifacts = List.of(ArtifactRecord.of(database + ".dump", "postgresql.logical",
                    "pg_dump-custom", database + ".dump.zst", "zstd:3", digest, List.of()));
            var details = RepositoryJson.mapper().createObjectNode();
            details.putObject("database").put("name", database).put("host", "db:5432");
            Section section = new Section("postgresql.logical", Subject.of("postgresql", "db:5432", database),
                    List.of(database + ".dump"), false, details);
            BackupManifest m = p.commit(BackupManifest.builder().labels(Map.of("subject", database)).tool("arca", "bench")
                    .part(new BackupPart(section, artifacts, null, null)));
            r.runs().write(new RunRecord(RunRecord.FORMAT_VERSION, BackupId.generate(at, random).value(), "backup",
                    database, "schedule", "bench", at, at.plusSeconds(60), RunRecord.SUCCEEDED, null, 0, null,
                    m.size(), m.storedSize(), m.backupId(), Map.of()));
        }
        storage.close();
    }
}
