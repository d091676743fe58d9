import io.arca.core.pipeline.ArtifactDigest;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.DrillRecord;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.catalog.ObjectIndex;
import io.arca.core.repo.run.RunLog;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.source.BackupPart;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.postgres.manifest.BackupKind;
import io.arca.postgres.manifest.PostgresSection;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The catalog benchmark (run by {@code bench/catalog/catalog.sh}, never by {@code mvn verify}):
 * fills S3 repositories with N synthetic but valid logical backups (a tiny zstd artifact and a
 * manifest shaped as a PostgreSQL logical backup writes it, through {@link Repository#begin()}) and
 * 4 N run records (through {@link RunLog#write}), spread over the last 90 days, 20 subjects; then
 * times, in interleaved rounds, what status, metrics and {@code arca list} read: {@code catalog()},
 * {@code RunLog.latest()}, {@code RunLog.list(7d)} in this JVM, and {@code arca list} and
 * {@code arca status} as processes. Prints a Markdown table of medians.
 *
 * <p>Usage: {@code java -cp arca.jar CatalogBench.java --url-template 's3://bench/n%d?endpoint=...'
 * --sizes 10,1000,5000 --rounds 3 --arca 'java -jar arca.jar'}. AWS credentials from the environment.
 */
public final class CatalogBench {
    private static final int SUBJECTS = 20;
    private static final Duration SPAN = Duration.ofDays(90);
    private static final int WRITERS = 16;
    private static final String[] JOBS = {"verify", "drill", "copy"};

    /** A clock each generating thread sets to the time it writes at. */
    private static final class ThreadClock extends Clock {
        private final ThreadLocal<Instant> now = ThreadLocal.withInitial(Instant::now);

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String template = require(opt, "url-template");
        int[] sizes = Arrays.stream(opt.getOrDefault("sizes", "10,1000,5000").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
        List<String> arca = opt.containsKey("arca") ? List.of(opt.get("arca").trim().split("\\s+")) : null;
        int serverScrapes = Integer.parseInt(opt.getOrDefault("server-scrapes", "5"));
        long seed = Long.parseLong(opt.getOrDefault("seed", String.valueOf(System.nanoTime())));
        log("seed " + seed);
        Instant now = Instant.now();

        Map<Integer, Storage> stores = new TreeMap<>();
        for (int n : sizes) {
            Storage storage = Storages.open(StorageUrl.parse(String.format(template, n)));
            stores.put(n, storage);
            long t0 = System.nanoTime();
            int[] written = fill(storage, n, now, new Random(seed + n));
            log(String.format("n=%d: %d backups and %d run records written in %.1f s", n, written[0], written[1],
                    secs(t0)));
        }

        // name -> n -> times (s)
        Map<String, Map<Integer, List<Double>>> times = new LinkedHashMap<>();
        Map<Integer, int[]> counts = new TreeMap<>();
        Map<Integer, Double> rebuild = new TreeMap<>();
        // arca_metrics_refresh_duration_seconds that each 'arca metrics' reported, by size
        Map<Integer, List<Double>> refresh = new TreeMap<>();
        for (int n : sizes) {
            // the first listing of a repository without an index reads every manifest and writes the index
            Storage storage = stores.get(n);
            Repository repo = Repository.open(storage, Clock.systemUTC());
            for (String name : List.of("backups", "drills")) {
                new ObjectIndex(storage, name, Clock.systemUTC()).clear();
            }
            long t0 = System.nanoTime();
            repo.catalog();
            rebuild.put(n, secs(t0));
            log(String.format("n=%d: catalog() without an index (writes it): %.2f s", n, rebuild.get(n)));
        }
        for (int round = 0; round <= rounds; round++) {
            // round 0 warms the JVM's code paths and the store's caches; it is not reported
            for (int n : sizes) {
                Storage storage = stores.get(n);
                Repository repo = Repository.open(storage, Clock.systemUTC());
                int r = round;
                int[] c = new int[3];
                time(times, "catalog()", n, r, () -> c[0] = repo.catalog().backups().size());
                time(times, "RunLog.latest()", n, r, () -> c[1] = repo.runs().latest().size());
                time(times, "RunLog.list(7d)", n, r,
                        () -> c[2] = repo.runs().list(Instant.now().minus(Duration.ofDays(7))).size());
                time(times, "drills()", n, r, () -> repo.drills());
                // what a /metrics refresh or 'arca status' reads from the repository, one JVM, warm
                time(times, "catalog() + drills() + RunLog.latest()", n, r, () -> {
                    repo.catalog();
                    repo.drills();
                    repo.runs().latest();
                });
                counts.put(n, c);
                if (arca != null) {
                    String url = String.format(template, n);
                    time(times, "arca list", n, r, () -> run(arca, 0, "list", "--repo", url));
                    // status exits 1 when an objective is missed: the bench measures the reading, not the verdict
                    time(times, "arca status", n, r, () -> run(arca, 1, "status", "--repo", url));
                    time(times, "arca metrics (CronJob mode)", n, r, () -> {
                        String out = run(arca, 0, "metrics", "--repo", url);
                        if (r > 0) {
                            refresh.computeIfAbsent(n, k -> new ArrayList<>()).add(refreshSeconds(out).values().iterator()
                                    .next());
                        }
                    });
                    time(times, "arca --version (JVM start)", n, r, () -> run(arca, 0, "--version"));
                }
            }
        }

        System.out.println();
        System.out.println("| what | " + String.join(" | ", Arrays.stream(sizes).mapToObj(n -> n + " backups").toList())
                + " |");
        System.out.println("|---" + "|---:".repeat(sizes.length) + "|");
        times.forEach((name, byN) -> {
            StringBuilder row = new StringBuilder("| " + name + " |");
            for (int n : sizes) {
                row.append(String.format(" %.2f s |", median(byN.get(n))));
            }
            System.out.println(row);
        });
        StringBuilder first = new StringBuilder("| first catalog() of a repository without an index (writes it) |");
        for (int n : sizes) {
            first.append(String.format(" %.2f s |", rebuild.get(n)));
        }
        System.out.println(first);
        if (!refresh.isEmpty()) {
            StringBuilder row = new StringBuilder("| arca metrics: its arca_metrics_refresh_duration_seconds |");
            for (int n : sizes) {
                row.append(String.format(" %.2f s |", median(refresh.get(n))));
            }
            System.out.println(row);
        }
        System.out.println();
        System.out.println("Commands: CPU time (user + system, median) and highest peak RSS");
        System.out.println();
        System.out.println("| command | " + String.join(" | ", Arrays.stream(sizes).mapToObj(n -> n + " backups").toList())
                + " |");
        System.out.println("|---" + "|---:".repeat(sizes.length) + "|");
        USAGE.forEach((name, byN) -> {
            if (name.equals("warm-up")) {
                return;
            }
            StringBuilder row = new StringBuilder("| " + name + " |");
            for (int n : sizes) {
                List<double[]> u = byN.get(n);
                row.append(String.format(" %.2f s, %.0f MB |", median(u.stream().map(x -> x[0]).toList()),
                        u.stream().mapToDouble(x -> x[1]).max().orElse(0)));
            }
            System.out.println(row);
        });
        System.out.println();
        if (arca != null && serverScrapes > 0) {
            server(arca, template, sizes, serverScrapes);
        }
        System.out.println("load average at the end: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        for (int n : sizes) {
            int[] c = counts.get(n);
            System.out.printf("n=%d: catalog %d backups, latest() %d job/subject pairs, list(7d) %d records; all times"
                    + " (s): %s%n", n, c[0], c[1], c[2], all(times, n));
        }
        stores.values().forEach(Storage::close);
    }

    /** Writes {@code n} backups and {@code 4 n} run records, unless the repository already has them. */
    private static int[] fill(Storage storage, int n, Instant now, Random random) throws Exception {
        ThreadClock clock = new ThreadClock();
        Repository repo;
        if (storage.stat(Repository.CONFIG_KEY).isPresent()) {
            repo = Repository.open(storage, clock);
            int have = repo.list().size();
            if (have == n) {
                log("n=" + n + ": repository exists, reused");
                return new int[] {0, 0};
            }
            throw new IllegalStateException("repository for n=" + n + " has " + have + " backups: remove it");
        }
        repo = Repository.init(storage, new RepositoryConfig.Defaults(null), clock);
        Instant from = now.minus(SPAN);
        long step = SPAN.toMillis() / n;
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            Repository r = repo;
            for (int i = 0; i < n; i++) {
                Instant start = from.plusMillis(step * i + random.nextInt((int) Math.max(1, step / 2)));
                int subject = i % SUBJECTS;
                long rows = 1000 + random.nextInt(1_000_000);
                done.add(pool.submit(() -> backup(r, clock, start, subject, rows)));
            }
            // drill evidence: one drill a week per subject
            for (int i = 0; i < n / SUBJECTS; i++) {
                Instant start = from.plusMillis(step * SUBJECTS * i + random.nextInt((int) Math.max(1, step)));
                int subject = i % SUBJECTS;
                done.add(pool.submit(() -> drill(r, clock, start, subject)));
            }
            for (Future<?> f : done) {
                f.get();
            }
            // run records: each backup's run, and 3 n runs of other jobs; written per job and subject in
            // time order (one writer per summary, as runs of one subject never overlap)
            Map<String, List<RunRecord>> byKey = new TreeMap<>();
            for (BackupManifest m : repo.list()) {
                String subject = m.labels().get("subject");
                add(byKey, run(m.startedAt(), "backup", subject, random, m.backupId(), m.size()));
            }
            long runStep = SPAN.toMillis() / (3L * n);
            for (int i = 0; i < 3 * n; i++) {
                Instant start = from.plusMillis(runStep * i + random.nextInt((int) Math.max(1, runStep / 2)));
                String job = JOBS[i % JOBS.length];
                add(byKey, run(start, job, "subject-" + random.nextInt(SUBJECTS), random, null, null));
            }
            // RunLog.write costs three requests (the record, then the summary read and rewritten); the
            // summary depends only on the last run, last success and last failure, so the others are
            // written as RunLog.write writes records, and those three through it, in time order
            RunLog runs = repo.runs();
            done.clear();
            int[] count = {0};
            for (List<RunRecord> records : byKey.values()) {
                count[0] += records.size();
                records.sort(java.util.Comparator.comparing(RunRecord::finishedAt));
                RunRecord lastSuccess = null;
                RunRecord lastFailure = null;
                for (RunRecord rr : records) {
                    if (rr.succeeded()) {
                        lastSuccess = rr;
                    } else {
                        lastFailure = rr;
                    }
                }
                java.util.Set<RunRecord> summarised = new java.util.HashSet<>(java.util.Arrays.asList(lastSuccess,
                        lastFailure, records.get(records.size() - 1)));
                for (RunRecord rr : records) {
                    if (!summarised.contains(rr)) {
                        done.add(pool.submit(() -> writeRecord(storage, rr)));
                    }
                }
                done.add(pool.submit(() -> records.stream().filter(summarised::contains).forEach(runs::write)));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return new int[] {n, count[0]};
        } finally {
            pool.shutdownNow();
        }
    }

    private static void drill(Repository repo, ThreadClock clock, Instant start, int subject) {
        clock.set(start);
        List<DrillRecord.TableCheck> tables = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            tables.add(new DrillRecord.TableCheck("public", "table_" + t, true, 1000L, 1000L, true));
        }
        repo.writeDrill(new DrillRecord(1, repo.newDrillId().value(), repo.config().repositoryId(),
                "20260101T000000Z-00000000", "db" + subject, start, start.plusSeconds(40), start.minusSeconds(3600), 3600,
                null, Map.of("arca", "bench"), Map.of("restoreMillis", 30_000L, "checkMillis", 900L), 30_900L, "4h",
                tables, null, null, null, DrillRecord.PASS, null));
    }

    private static void writeRecord(Storage storage, RunRecord run) {
        try (io.arca.core.storage.StorageWriter w = storage.openWrite(RunLog.key(run.runId()),
                io.arca.core.storage.WriteOptions.ifAbsent())) {
            w.write(io.arca.core.repo.RepositoryJson.write(run));
            w.commit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void add(Map<String, List<RunRecord>> byKey, RunRecord r) {
        byKey.computeIfAbsent(r.job() + "/" + r.subject(), k -> new ArrayList<>()).add(r);
    }

    private static RunRecord run(Instant start, String job, String subject, Random random, String backupId, Long bytes) {
        boolean failed = random.nextInt(50) == 0;
        Instant end = start.plusMillis(2_000 + random.nextInt(60_000));
        return new RunRecord(RunRecord.FORMAT_VERSION, BackupId.generate(start, random).value(), job, subject, "schedule",
                "bench-host", start, end, failed ? RunRecord.FAILED : RunRecord.SUCCEEDED,
                failed ? "ARCA-1500" : null, failed ? 14 : 0, failed ? "cannot connect to postgresql" : null, bytes,
                bytes == null ? null : bytes / 4, backupId, Map.of());
    }

    /** One logical backup of database {@code db<subject>}: a tiny zstd artifact, then the manifest. */
    private static void backup(Repository repo, ThreadClock clock, Instant start, int subject, long rows) {
        clock.set(start);
        Repository.PendingBackup pending = repo.begin();
        byte[] dump = ("PGDMP synthetic dump of db" + subject + " " + rows).getBytes(StandardCharsets.UTF_8);
        ArtifactOutput out = pending.openArtifact("db" + subject + ".dump", CodecSpec.parse("zstd:3"));
        ArtifactDigest digest;
        try (out) {
            out.write(dump);
            digest = out.finish();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ArtifactRecord artifact = ArtifactRecord.of("db" + subject + ".dump", "postgresql.logical", "pg_dump-custom", out,
                digest, List.of());
        List<PostgresSection.TableInfo> tables = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            tables.add(new PostgresSection.TableInfo("public", "table_" + t, rows / (t + 1)));
        }
        PostgresSection.DatabaseInfo db = new PostgresSection.DatabaseInfo("db" + subject, "db-" + subject + ":5432",
                "15.18 (Debian 15.18-0+deb12u1)", "7441234567890123456", "UTF8", null, "0/1A2B3C8", null, true, tables,
                new PostgresSection.MigrationInfo("flyway", "42"));
        BackupManifest.Builder content = BackupManifest.builder()
                .labels(Map.of("subject", "subject-" + subject))
                .part(new BackupPart(PostgresSection.section(BackupKind.LOGICAL, db, null, List.of(artifact)),
                        List.of(artifact), Map.of("arca", "bench", "pg_dump", "15.18"),
                        Map.of("dumpMillis", 9012L, "totalMillis", 9333L)));
        clock.set(start.plusSeconds(10));
        pending.commit(content);
    }

    /**
     * {@code arca server} with the repositories of every size and 20 subjects (no schedules): scrapes
     * /metrics every 31 s (the server rereads a repository at most every 30 s) and prints, per
     * repository, the refresh durations it reports; the first refreshes run in a cold JVM.
     */
    private static void server(List<String> arca, String template, int[] sizes, int scrapes) throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        StringBuilder yaml = new StringBuilder("repositories:\n");
        for (int n : sizes) {
            yaml.append("  n").append(n).append(":\n    url: ").append(String.format(template, n)).append("\n");
        }
        yaml.append("subjects:\n");
        String repos = String.join(", ", Arrays.stream(sizes).boxed().sorted(java.util.Comparator.reverseOrder())
                .map(n -> "n" + n).toList());
        for (int i = 0; i < SUBJECTS; i++) {
            yaml.append("  subject-").append(i).append(":\n    repositories: [").append(repos).append("]\n")
                    .append("    database: postgresql://arca@127.0.0.1:1/db").append(i).append("\n")
                    .append("    objectives:\n      rpo: 36h\n");
        }
        yaml.append("server:\n  listen: 127.0.0.1:").append(port).append("\n  missedRuns: skip\n");
        java.nio.file.Path config = java.nio.file.Files.createTempFile("catalog-bench", ".yaml");
        java.nio.file.Files.writeString(config, yaml);
        List<String> command = new ArrayList<>(arca);
        command.addAll(List.of("server", "--config", config.toString()));
        java.nio.file.Path log = java.nio.file.Files.createTempFile("catalog-bench", ".server");
        Process server = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile()).start();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try {
            java.net.URI ready = java.net.URI.create("http://127.0.0.1:" + port + "/readyz");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (true) {
                try {
                    if (http.send(java.net.http.HttpRequest.newBuilder(ready).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("arca server did not become ready: "
                            + java.nio.file.Files.readString(log));
                }
                Thread.sleep(200);
            }
            java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + port + "/metrics");
            Map<Integer, List<Double>> refreshes = new TreeMap<>();
            List<Double> scrapeTimes = new ArrayList<>();
            for (int i = 0; i < scrapes; i++) {
                if (i > 0) {
                    Thread.sleep(31_000);
                }
                long t0 = System.nanoTime();
                String body = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                scrapeTimes.add(secs(t0));
                refreshSeconds(body).forEach((repo, secs) -> refreshes.computeIfAbsent(
                        Integer.parseInt(repo.substring(1)), k -> new ArrayList<>()).add(secs));
                log(String.format("scrape %d: %.2f s, refreshes %s", i + 1, scrapeTimes.get(i), refreshSeconds(body)));
            }
            System.out.println("arca server /metrics, " + scrapes + " scrapes 31 s apart (each refreshes every repository"
                    + " in turn): arca_metrics_refresh_duration_seconds, first (cold JVM) / median of the later half"
                    + " (the JIT compiler has caught up)");
            System.out.println();
            System.out.println("| repository | " + String.join(" | ", Arrays.stream(sizes).mapToObj(n -> n + " backups")
                    .toList()) + " |");
            System.out.println("|---" + "|---:".repeat(sizes.length) + "|");
            StringBuilder row = new StringBuilder("| refresh |");
            for (int n : sizes) {
                List<Double> r = refreshes.get(n);
                row.append(String.format(" %.2f / %.2f s |", r.get(0), median(r.subList(r.size() / 2, r.size()))));
            }
            System.out.println(row);
            System.out.println();
            System.out.println("whole scrapes (s): " + String.join("/", scrapeTimes.stream().map(x -> String.format("%.2f", x))
                    .toList()));
            System.out.println();
        } finally {
            server.destroy();
            if (!server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            java.nio.file.Files.deleteIfExists(config);
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    /** {@code arca_metrics_refresh_duration_seconds} by repository label, from a metrics text. */
    private static Map<String, Double> refreshSeconds(String text) {
        Map<String, Double> out = new TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^arca_metrics_refresh_duration_seconds\\{repository=\"([^\"]+)\"\\} (\\S+)$").matcher(text);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    /** CPU seconds (user + system) and peak RSS (MB) of each command run, by name and size, for the second table. */
    private static final Map<String, Map<Integer, List<double[]>>> USAGE = new LinkedHashMap<>();
    private static String current = "";
    private static int currentN;

    /** Runs {@code arca args} under GNU time (its CPU time and peak RSS go to {@link #USAGE}). */
    private static String run(List<String> arca, int okExit, String... args) {
        try {
            java.nio.file.Path err = java.nio.file.Files.createTempFile("catalog-bench", ".err");
            java.nio.file.Path usage = java.nio.file.Files.createTempFile("catalog-bench", ".time");
            List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S %M", "-o", usage.toString()));
            command.addAll(arca);
            command.addAll(List.of(args));
            java.nio.file.Path out = java.nio.file.Files.createTempFile("catalog-bench", ".out");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int rc = p.waitFor();
            String stderr = java.nio.file.Files.readString(err);
            String[] used = java.nio.file.Files.readString(usage).trim().lines().reduce((a, b) -> b).orElse("0 0 0")
                    .split(" ");
            String stdout = java.nio.file.Files.readString(out);
            java.nio.file.Files.delete(out);
            java.nio.file.Files.delete(err);
            java.nio.file.Files.delete(usage);
            if (rc != 0 && rc != okExit) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + rc + ": " + stderr);
            }
            USAGE.computeIfAbsent(current, k -> new TreeMap<>()).computeIfAbsent(currentN, k -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(used[0]) + Double.parseDouble(used[1]),
                            Double.parseDouble(used[2]) / 1024});
            return stdout;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void time(Map<String, Map<Integer, List<Double>>> times, String name, int n, int round,
            Runnable what) {
        current = round > 0 ? name : "warm-up";
        currentN = n;
        long t0 = System.nanoTime();
        what.run();
        double s = secs(t0);
        if (round > 0) {
            times.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(n, k -> new ArrayList<>()).add(s);
        }
        log(String.format("round %d n=%d %s: %.3f s", round, n, name, s));
    }

    private static String all(Map<String, Map<Integer, List<Double>>> times, int n) {
        List<String> parts = new ArrayList<>();
        times.forEach((name, byN) -> parts.add(name + " " + String.join("/",
                byN.get(n).stream().map(s -> String.format("%.2f", s)).toList())));
        return String.join("; ", parts);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String require(Map<String, String> opt, String name) {
        String v = opt.get(name);
        if (v == null) {
            System.err.println("usage: CatalogBench --url-template URL-WITH-%d [--sizes 10,1000,5000] [--rounds 3]"
                    + " [--arca 'java -jar arca.jar'] [--server-scrapes 5] [--seed N]");
            System.exit(2);
        }
        return v;
    }

    private static void log(String line) {
        System.err.println(line);
    }
}
