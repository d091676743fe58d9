package io.arca.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.arca.app.config.ArcaConfig;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.repo.run.RunRecord;
import io.arca.server.RunQueue;
import io.arca.server.RunState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP API, {@code /healthz}, {@code /readyz}, {@code /metrics} and the status page of
 * {@code arca server}, on the JDK's HTTP(S) server (see the package documentation for why).
 *
 * <pre>{@code
 * try (HttpApi api = HttpApi.builder(config).runQueue(queue).metrics(metrics::scrape).build()) {
 *     api.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>Security: bearer tokens of two roles (read, operator) from the files and environment variables
 * {@code server.tokens} names; without any token the API is open, and so it refuses to start on an
 * address other than loopback. Probes, the page's static files, the OpenAPI description and (unless
 * {@link Builder#metricsRequireToken}) {@code /metrics} need no token. See {@code docs/api.md}.
 */
public final class HttpApi implements AutoCloseable {
    /** {@code server.listen} when arca.yaml sets none. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:9187";
    /** The largest request body accepted (413 above it); the API's bodies are a few bytes of JSON. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** How often the in-memory catalog of backups is refreshed, by default. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);
    static final String API = "/api/v1";
    private static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
    private static final int MAX_QUERY_PARAMETERS = 20;
    private static final int MAX_TARGET_LENGTH = 4096;

    private final InetSocketAddress address;
    private final ApiTokens tokens;
    private final TlsContext tls;
    private final RunQueue queue;
    private final Supplier<String> metrics;
    private final Supplier<Optional<String>> readiness;
    private final boolean metricsRequireToken;
    private final int threads;
    private final ApiData data;
    private final Router router = new Router();
    private final StaticFiles page = new StaticFiles();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService background;
    private volatile boolean closing;
    private HttpServer server;
    private ExecutorService workers;

    private HttpApi(Builder b) {
        this.address = b.address();
        this.tokens = ApiTokens.load(b.tokens, b.environment);
        if (!tokens.configured() && !address.getAddress().isLoopbackAddress()) {
            throw new UsageException("server.listen is " + b.listen + " and no API token is configured: an open API"
                    + " is only served on a loopback address", "set server.tokens (readFile, operatorFile, readEnv or"
                    + " operatorEnv) in arca.yaml, or listen on 127.0.0.1", null);
        }
        this.tls = b.tls == null ? null : TlsContext.load(b.tls, b.environment);
        this.queue = b.queue;
        this.metrics = b.metrics;
        this.readiness = b.readiness;
        this.metricsRequireToken = b.metricsRequireToken;
        this.threads = b.threads;
        this.background = Executors.newSingleThreadExecutor(daemon("arca-http-refresh"));
        this.data = new ApiData(b.config, b.clock, b.refreshInterval, background);
        routes();
    }

    /** A builder taking the listen address, tokens and TLS from {@code config.server()} unless set otherwise. */
    public static Builder builder(ArcaConfig config) {
        return new Builder(config);
    }

    /** Binds the address and starts serving. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        try {
            if (tls == null) {
                server = HttpServer.create(address, 64);
            } else {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(tls.configurator());
                server = https;
            }
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "cannot listen on " + address.getHostString() + ":"
                    + address.getPort() + ": " + e.getMessage(), "choose a free port in server.listen", e);
        }
        workers = Executors.newFixedThreadPool(threads, daemon("arca-http"));
        server.setExecutor(workers);
        server.createContext("/", this::serve);
        server.start();
    }

    /** The port the server listens on (the one chosen when {@code server.listen} gave port 0). */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** Whether the server speaks HTTPS. */
    public boolean tls() {
        return tls != null;
    }

    /** The routes served, as {@code METHOD /path/{param}}, documented ones only when {@code documented}. */
    public List<String> routes(boolean documented) {
        return router.routes().stream().filter(r -> !documented || r.documented())
                .map(r -> r.method() + " " + r.template()).toList();
    }

    /**
     * Stops taking requests, lets those being answered finish (up to 2 s: they only read), then
     * stops the server and closes the repositories.
     */
    @Override
    public synchronized void close() {
        closing = true;
        if (server != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            server.stop(0);
            workers.shutdownNow();
            server = null;
        }
        background.shutdownNow();
        data.close();
    }

    private void routes() {
        router.add("GET", "/healthz", Router.Access.PUBLIC, true, r -> Response.json(200, new Views.Health("ok")))
                .add("GET", "/readyz", Router.Access.PUBLIC, true, r -> readyz())
                .add("GET", "/metrics", metricsRequireToken ? Router.Access.READ : Router.Access.PUBLIC, true,
                        r -> metrics())
                .add("GET", API + "/openapi.json", Router.Access.PUBLIC, true, r -> page.get("openapi.json"))
                .add("GET", API + "/backups", Router.Access.READ, true, this::backups)
                .add("GET", API + "/backups/{id}", Router.Access.READ, true, this::backup)
                .add("GET", API + "/runs", Router.Access.READ, true, this::runs)
                .add("GET", API + "/runs/{id}", Router.Access.READ, true, this::run)
                .add("GET", API + "/drills", Router.Access.READ, true, this::drills)
                .add("GET", API + "/status", Router.Access.READ, true, this::status)
                .add("POST", API + "/subjects/{subject}/backup", Router.Access.OPERATOR, true,
                        r -> trigger(r, RunRecord.Job.BACKUP))
                .add("POST", API + "/subjects/{subject}/verify", Router.Access.OPERATOR, true,
                        r -> trigger(r, RunRecord.Job.VERIFY))
                .add("POST", API + "/subjects/{subject}/drill", Router.Access.OPERATOR, true,
                        r -> trigger(r, RunRecord.Job.DRILL));
        for (String file : StaticFiles.PAGE) {
            router.add("GET", file.equals("index.html") ? "/" : "/" + file, Router.Access.PUBLIC, false,
                    r -> page.get(file));
        }
    }

    private Response readyz() {
        List<String> reasons = new ArrayList<>(data.unreadable());
        if (readiness != null) {
            readiness.get().ifPresent(reasons::add);
        }
        return Response.json(reasons.isEmpty() ? 200 : 503, new Views.Readiness(reasons.isEmpty(), reasons));
    }

    private Response metrics() {
        if (metrics == null) {
            throw new ApiException(503, ErrorCode.FAILURE, "metrics are not available in this server", null);
        }
        return Response.text(200, METRICS_TYPE, metrics.get());
    }

    private Response backups(Request r) {
        r.onlyQuery(Set.of("subject", "limit"));
        String subject = r.query("subject");
        Integer limit = limit(r);
        List<Views.BackupSummary> out = new ArrayList<>();
        for (ApiData.Located l : data.backups(subject)) {
            if (limit != null && out.size() >= limit) {
                break;
            }
            out.add(Views.BackupSummary.of(l.repository(), l.manifest()));
        }
        return Response.json(200, out);
    }

    private Response backup(Request r) {
        r.onlyQuery(Set.of());
        String id = r.path("id");
        requireId(id, "backup");
        List<ApiData.Located> found = data.backup(id);
        if (found.isEmpty()) {
            throw new ApiException(404, ErrorCode.BACKUP_NOT_FOUND, "no backup '" + id + "' in the repositories of"
                    + " arca.yaml", "list backups with GET " + API + "/backups");
        }
        return Response.json(200, Views.BackupDetail.of(found.get(0).repository(),
                found.stream().map(ApiData.Located::repository).toList(), found.get(0).manifest()));
    }

    private Response runs(Request r) {
        r.onlyQuery(Set.of("since", "subject", "job", "outcome", "limit"));
        Instant since = since(r.query("since"));
        String subject = r.query("subject");
        String job = r.query("job");
        if (job != null) {
            try {
                RunRecord.Job.of(job);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("unknown job '" + Text.clip(job) + "'", "use one of: " + jobNames());
            }
        }
        String outcome = r.query("outcome");
        Set<String> outcomes = Set.of(RunRecord.SUCCEEDED, RunRecord.FAILED, RunRecord.PARTIAL, RunState.QUEUED,
                RunState.RUNNING);
        if (outcome != null && !outcomes.contains(outcome)) {
            throw ApiException.badRequest("unknown outcome '" + Text.clip(outcome) + "'",
                    "use one of: succeeded, failed, partial, queued, running");
        }
        Integer limit = limit(r);
        List<Views.RunView> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        if (queue != null) {
            for (RunState s : queue.active()) {
                Views.RunView v = Views.RunView.of(s);
                if (matches(v, subject, job, outcome)) {
                    out.add(v);
                    seen.add(v.id());
                }
            }
        }
        for (ApiData.LocatedRun l : data.runs(since)) {
            Views.RunView v = Views.RunView.of(l.record(), l.repositories());
            if (!seen.contains(v.id()) && matches(v, subject, job, outcome)) {
                out.add(v);
            }
        }
        return Response.json(200, limit == null || out.size() <= limit ? out : out.subList(0, limit));
    }

    private static boolean matches(Views.RunView v, String subject, String job, String outcome) {
        return (subject == null || subject.equals(v.subject())) && (job == null || job.equals(v.job()))
                && (outcome == null || outcome.equals(v.state()));
    }

    private Response run(Request r) {
        r.onlyQuery(Set.of());
        String id = r.path("id");
        requireId(id, "run");
        Optional<RunState> state = queue == null ? Optional.empty() : queue.state(id);
        if (state.isPresent() && state.get().record() == null) {
            return Response.json(200, Views.RunView.of(state.get()));
        }
        ApiData.LocatedRun recorded = data.run(id);
        if (recorded != null) {
            return Response.json(200, Views.RunView.of(recorded.record(), recorded.repositories()));
        }
        if (state.isPresent()) {
            return Response.json(200, Views.RunView.of(state.get()));
        }
        throw new ApiException(404, ErrorCode.API_NOT_FOUND, "no run '" + id + "' in the server's queue or the"
                + " repositories of arca.yaml", "list runs with GET " + API + "/runs?since=30d");
    }

    private Response drills(Request r) {
        r.onlyQuery(Set.of("subject", "limit"));
        String subject = r.query("subject");
        Integer limit = limit(r);
        List<Views.DrillView> out = new ArrayList<>();
        for (ApiData.LocatedDrill d : data.drills(subject)) {
            if (limit != null && out.size() >= limit) {
                break;
            }
            out.add(Views.DrillView.of(d.repository(), d.subject(), d.drill()));
        }
        return Response.json(200, out);
    }

    private Response status(Request r) {
        r.onlyQuery(Set.of());
        return Response.json(200, data.status());
    }

    private Response trigger(Request r, RunRecord.Job job) {
        r.onlyQuery(Set.of());
        String subject = r.path("subject");
        if (r.body().length > 0) {
            JsonNode body;
            try {
                body = ApiJson.mapper().readTree(r.body());
            } catch (IOException e) {
                throw ApiException.badRequest("the request body is not JSON", "send no body, or {}");
            }
            if (body == null || !body.isObject() || body.size() > 0) {
                throw ApiException.badRequest("a trigger takes no parameters in its body", "send no body, or {}");
            }
        }
        if (!data.subjects().containsKey(subject)) {
            throw new ApiException(404, ErrorCode.API_NOT_FOUND, "no subject '" + Text.clip(subject)
                    + "' in arca.yaml", "the subjects are: " + String.join(", ", data.subjects().keySet()));
        }
        if (queue == null) {
            throw new ApiException(503, ErrorCode.FAILURE, "this server runs no jobs", "start it with 'arca server'");
        }
        RunState state = queue.submit(job, subject, RunRecord.Trigger.API);
        return Response.json(202, Views.RunView.of(state)).withHeader("Location", API + "/runs/" + state.runId());
    }

    private static void requireId(String id, String what) {
        if (!BackupId.isValid(id)) {
            throw ApiException.badRequest("'" + Text.clip(id) + "' is not a " + what + " id",
                    "ids look like 20260221T020000Z-1a2b3c4d");
        }
    }

    private Instant since(String text) {
        Instant now = data.clock().instant();
        if (text == null) {
            return now.minus(Duration.ofDays(7));
        }
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && text.contains("T")) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                // not an instant: read as a duration below, whose message says what is expected
            }
        }
        try {
            return now.minus(DurationText.parse(text));
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw ApiException.badRequest("since: '" + Text.clip(text) + "' is neither a duration nor an instant",
                    "use a duration such as 36h or 7d, or an instant such as 2026-02-21T02:00:00Z");
        }
    }

    private static Integer limit(Request r) {
        String text = r.query("limit");
        if (text == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw ApiException.badRequest("limit: '" + Text.clip(text) + "' is not a positive number",
                "use e.g. limit=100");
    }

    private static String jobNames() {
        List<String> names = new ArrayList<>();
        for (RunRecord.Job j : RunRecord.Job.values()) {
            names.add(j.jobName());
        }
        return String.join(", ", names);
    }

    // --- the exchange: parse, authorise, answer, always with a JSON error on failure

    private void serve(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try (exchange) {
            Response response;
            try {
                response = answer(exchange);
            } catch (ApiException e) {
                response = error(e);
            } catch (UsageException e) {
                response = Response.json(400, Views.ErrorBody.of("ARCA-" + ErrorCode.USAGE.number(), e.getMessage(),
                        e.hint()));
            } catch (ArcaException e) {
                response = Response.json(statusOf(e.code()), Views.ErrorBody.of("ARCA-" + e.code().number(),
                        e.getMessage(), e.hint()));
            } catch (Exception | LinkageError e) {
                LOG.log(System.Logger.Level.ERROR, "internal error answering " + exchange.getRequestMethod() + " "
                        + Text.clip(exchange.getRequestURI().getRawPath()), e);
                response = Response.json(500, Views.ErrorBody.of("ARCA-" + ErrorCode.INTERNAL.number(),
                        "internal error: " + e.getClass().getSimpleName(), "see the server's log"));
            }
            send(exchange, response);
        } catch (IOException | UncheckedIOException e) {
            // the client went away: nothing to answer
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private Response answer(HttpExchange exchange) throws Exception {
        if (closing) {
            throw new ApiException(503, ErrorCode.FAILURE, "the server is shutting down", "try again shortly");
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawPath == null || !rawPath.startsWith("/")
                || rawPath.length() + (rawQuery == null ? 0 : rawQuery.length()) > MAX_TARGET_LENGTH) {
            throw ApiException.badRequest("bad request target", "paths start with / and are short");
        }
        Router.Match match = router.match(exchange.getRequestMethod(), decodePath(rawPath));
        authorise(exchange, match.route().access());
        byte[] body = readBody(exchange);
        Request request = new Request(exchange.getRequestMethod(), match.parameters(), query(rawQuery), body);
        return match.route().handler().handle(request);
    }

    private void authorise(HttpExchange exchange, Router.Access access) {
        if (access == Router.Access.PUBLIC || !tokens.configured()) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            throw new Unauthorized("this needs a bearer token", null);
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw new Unauthorized("the Authorization header is not 'Bearer <token>'", "invalid_request");
        }
        Optional<ApiTokens.Role> role = tokens.roleOf(header.substring(7).strip());
        if (role.isEmpty()) {
            // never echo the token: the message says only that it is unknown
            throw new Unauthorized("the bearer token is not one of the server's tokens", "invalid_token");
        }
        ApiTokens.Role needed = access == Router.Access.OPERATOR ? ApiTokens.Role.OPERATOR : ApiTokens.Role.READ;
        if (!role.get().allows(needed)) {
            throw new ApiException(403, ErrorCode.API_FORBIDDEN, "this needs an operator token; the token given"
                    + " may only read", "use a token from server.tokens.operatorFile or operatorEnv");
        }
    }

    /** 401, with the {@code WWW-Authenticate} challenge. */
    private static final class Unauthorized extends ApiException {
        private static final long serialVersionUID = 1L;
        private final String challenge;

        Unauthorized(String message, String error) {
            super(401, ErrorCode.API_UNAUTHENTICATED, message,
                    "send 'Authorization: Bearer <token>' with a token from server.tokens in arca.yaml");
            this.challenge = "Bearer realm=\"arca\"" + (error == null ? "" : ", error=\"" + error + "\"");
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad Content-Length", null);
            }
            if (n > MAX_BODY_BYTES) {
                throw tooLarge();
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return body;
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, ErrorCode.USAGE, "the request body is larger than " + MAX_BODY_BYTES
                + " bytes", "the API's requests need no body, or {}");
    }

    private static List<String> decodePath(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : Router.split(rawPath)) {
            segments.add(percentDecode(s, false));
        }
        return segments;
    }

    private static Map<String, List<String>> query(String rawQuery) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        String[] pairs = rawQuery.split("&");
        if (pairs.length > MAX_QUERY_PARAMETERS) {
            throw ApiException.badRequest("too many query parameters", "give at most " + MAX_QUERY_PARAMETERS);
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1), true);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String percentDecode(String s, boolean plusIsSpace) {
        try {
            return URLDecoder.decode(plusIsSpace ? s : s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("bad percent-encoding in '" + Text.clip(s) + "'", null);
        }
    }

    private static int statusOf(ErrorCode code) {
        return switch (code) {
            case USAGE -> 400;
            case BACKUP_NOT_FOUND, API_NOT_FOUND -> 404;
            case LOCK_HELD -> 409;
            case REPOSITORY_NOT_FOUND, REPOSITORY_VERSION, STORAGE_ACCESS, STORAGE_TRANSIENT, STORAGE_NOT_FOUND,
                    STORAGE_ARCHIVED -> 503;
            default -> 500;
        };
    }

    private static Response error(ApiException e) {
        Response r = Response.json(e.status(), Views.ErrorBody.of(e.code(), e.getMessage(), e.hint()));
        if (e instanceof Unauthorized u) {
            r = r.withHeader("WWW-Authenticate", u.challenge);
        } else if (e instanceof Router.MethodNotAllowed m) {
            r = r.withHeader("Allow", m.allow());
        }
        return r;
    }

    private void send(HttpExchange exchange, Response response) throws IOException {
        var h = exchange.getResponseHeaders();
        h.set("Content-Type", response.contentType());
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cache-Control", "no-store");
        if (response.contentType().startsWith("text/html")) {
            h.set("Content-Security-Policy", StaticFiles.CSP);
        }
        if (tls != null) {
            h.set("Strict-Transport-Security", "max-age=31536000");
        }
        response.headers().forEach(h::set);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 || head ? -1
                : response.body().length);
        if (!head && response.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * How {@link HttpApi} is set up. The listen address, tokens and TLS default to
     * {@code config.server()}'s; everything else to what {@code arca server} uses.
     */
    public static final class Builder {
        private final ArcaConfig config;
        private String listen;
        private ArcaConfig.Tokens tokens;
        private ArcaConfig.Tls tls;
        private Map<String, String> environment = System.getenv();
        private RunQueue queue;
        private Supplier<String> metrics;
        private Supplier<Optional<String>> readiness;
        private boolean metricsRequireToken;
        private Clock clock = Clock.systemUTC();
        private Duration refreshInterval = DEFAULT_REFRESH;
        private int threads = 8;

        private Builder(ArcaConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            ArcaConfig.Server s = config.server();
            this.listen = s == null || s.listen() == null ? DEFAULT_LISTEN : s.listen();
            this.tokens = s == null ? null : s.tokens();
            this.tls = s == null ? null : s.tls();
        }

        /** {@code host:port} ({@code [::1]:9187} for IPv6; port 0 for any free port). */
        public Builder listen(String hostPort) {
            this.listen = Objects.requireNonNull(hostPort);
            return this;
        }

        /** Where the bearer tokens are read from; null for none (then loopback only). */
        public Builder tokens(ArcaConfig.Tokens tokens) {
            this.tokens = tokens;
            return this;
        }

        /** The PKCS#12 keystore for HTTPS; null for plain HTTP. */
        public Builder tls(ArcaConfig.Tls tls) {
            this.tls = tls;
            return this;
        }

        /** Where {@code ...Env} names are looked up (the process environment by default). */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** Where triggers are submitted and run states come from; without one, triggers answer 503. */
        public Builder runQueue(RunQueue queue) {
            this.queue = queue;
            return this;
        }

        /** The Prometheus text exposition served at {@code /metrics}; without it, {@code /metrics} answers 503. */
        public Builder metrics(Supplier<String> metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * Further readiness conditions of the server: empty when ready, else why not (such as
         * {@code scheduler not started}). {@code /readyz} also checks that every repository can be read.
         */
        public Builder readiness(Supplier<Optional<String>> readiness) {
            this.readiness = readiness;
            return this;
        }

        /**
         * Whether {@code /metrics} needs a read token. Off by default: Prometheus scrapes without
         * one, and the metrics hold no backup ids, URLs with credentials or other secrets; turn it on
         * when the port is reachable by those who should not see subject names.
         */
        public Builder metricsRequireToken(boolean require) {
            this.metricsRequireToken = require;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * How old the in-memory catalog of backups may get before a background refresh (5 s by
         * default); zero reads the repository on every request.
         */
        public Builder refreshInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refresh interval must not be negative: " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /** How many requests are answered at once (8 by default). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Reads the tokens and the keystore and checks the address, without binding it.
         *
         * @throws UsageException for a bad listen address, an unset token or password variable, or no
         *     token on an address other than loopback
         * @throws ArcaException LOCAL_IO or KEY when a token file or the keystore cannot be read
         */
        public HttpApi build() {
            return new HttpApi(this);
        }

        private InetSocketAddress address() {
            String host;
            String port;
            if (listen.startsWith("[")) {
                int close = listen.indexOf(']');
                if (close < 0 || close + 1 >= listen.length() || listen.charAt(close + 1) != ':') {
                    throw badListen();
                }
                host = listen.substring(1, close);
                port = listen.substring(close + 2);
            } else {
                int colon = listen.lastIndexOf(':');
                if (colon < 0 || listen.indexOf(':') != colon) {
                    throw badListen();
                }
                host = listen.substring(0, colon);
                port = listen.substring(colon + 1);
            }
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw badListen();
            }
            if (p < 0 || p > 65535) {
                throw badListen();
            }
            try {
                InetAddress a = host.isEmpty() || host.equals("*") ? InetAddress.getByName("0.0.0.0")
                        : InetAddress.getByName(host);
                return new InetSocketAddress(a, p);
            } catch (UnknownHostException e) {
                throw new UsageException("server.listen: unknown host '" + host + "'",
                        "use an address such as 127.0.0.1:9187 or 0.0.0.0:9187", e);
            }
        }

        private UsageException badListen() {
            return new UsageException("server.listen: '" + listen + "' is not host:port",
                    "use e.g. 127.0.0.1:9187, 0.0.0.0:9187 or [::1]:9187", null);
        }
    }
}
