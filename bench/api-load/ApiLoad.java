import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate load generator for one URL, with the JDK's HttpClient only:
 * {@code java ApiLoad.java --url URL [--token T] [--rate 50] [--duration 60s] [--warmup 10s]}.
 *
 * <p>Open model: request {@code i} is due at {@code start + i / rate} whether or not earlier ones
 * have been answered, and its latency is measured from when it was due (not from when it was
 * sent), so a slow server cannot hide its queueing by slowing the generator down (no coordinated
 * omission). Prints the count, errors, achieved rate and p50/p90/p99/p99.9/max in milliseconds.
 */
public final class ApiLoad {
    public static void main(String[] args) throws Exception {
        String url = null;
        String token = System.getenv("ARCA_TOKEN");
        double rate = 50;
        Duration duration = Duration.ofSeconds(60);
        Duration warmup = Duration.ofSeconds(10);
        double targetP99 = 50;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> url = value;
                case "--token" -> token = value;
                case "--rate" -> rate = Double.parseDouble(value);
                case "--duration" -> duration = duration(value);
                case "--warmup" -> warmup = duration(value);
                case "--target-p99-ms" -> targetP99 = Double.parseDouble(value);
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (url == null || rate <= 0) {
            usage("--url is required and --rate must be positive");
        }
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "load");
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = b.build();

        long period = (long) (1_000_000_000L / rate);
        long warmupRequests = (long) (warmup.toNanos() / (double) period);
        long total = warmupRequests + (long) (duration.toNanos() / (double) period);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime() + 100_000_000L;
        for (long i = 0; i < total; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            boolean measured = i >= warmupRequests;
            pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
                long latency = System.nanoTime() - due;
                if (!measured) {
                    return null;
                }
                if (e != null || r.statusCode() != 200) {
                    errors.incrementAndGet();
                } else {
                    bytes.addAndGet(r.body().length);
                    latencies.add(latency);
                }
                return null;
            }));
            if (pending.size() > 10_000) {
                pending.removeIf(CompletableFuture::isDone);
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start - warmupRequests * period) / 1e9;

        long[] ms = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long measuredCount = total - warmupRequests;
        System.out.printf(Locale.ROOT, "GET %s at %.0f/s for %ds (after %ds warm-up), open model%n", url, rate,
                duration.toSeconds(), warmup.toSeconds());
        System.out.printf(Locale.ROOT, "%-12s %10s%n", "requests", measuredCount);
        System.out.printf(Locale.ROOT, "%-12s %10d%n", "errors", errors.get());
        System.out.printf(Locale.ROOT, "%-12s %10.1f/s%n", "achieved", ms.length / elapsed);
        System.out.printf(Locale.ROOT, "%-12s %10d%n", "body bytes", ms.length == 0 ? 0 : bytes.get() / ms.length);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            System.out.printf(Locale.ROOT, "%-12s %10.2f ms%n", "p" + (p == Math.rint(p) ? String.valueOf((int) p)
                    : String.valueOf(p)), percentile(ms, p) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%-12s %10.2f ms%n", "max", ms.length == 0 ? 0 : ms[ms.length - 1] / 1e6);
        boolean ok = errors.get() == 0 && ms.length > 0 && percentile(ms, 99) / 1e6 <= targetP99;
        System.out.printf(Locale.ROOT, "p99 target <= %.0f ms: %s%n", targetP99, ok ? "met" : "MISSED");
        pool.shutdownNow();
        System.exit(ok ? 0 : 1);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static Duration duration(String text) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> throw new IllegalArgumentException("durations are like 60s or 2m: " + text);
        };
    }

    static void usage(String message) {
        System.err.println("error: " + message);
        System.err.println("usage: java ApiLoad.java --url URL [--token T] [--rate 50] [--duration 60s]"
                + " [--warmup 10s] [--target-p99-ms 50]");
        System.exit(2);
    }
}
