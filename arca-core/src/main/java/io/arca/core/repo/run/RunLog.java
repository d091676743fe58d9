package io.arca.core.repo.run;

import io.arca.core.repo.BackupId;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.repo.catalog.ObjectIndex;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run records of a repository: {@code runs/YYYY/MM/DD/<run-id>.json}, one per run, never
 * rewritten, plus one derived summary per job and subject ({@code runs/latest/<job>/<subject>.json}:
 * the last run, the last success, the last failure), so that status and metrics read a handful of
 * small objects however long the history is. A summary is a cache: {@link #latest()} merges it
 * with the records of the last two days (a summary can lose a race between two runs that end at
 * the same moment on two hosts), and {@link #rebuildSummaries()} rebuilds them from the records.
 * Records are read through the catalog index of their month ({@code catalog/runs/YYYY/MM/}, see
 * {@link ObjectIndex}): a few segments instead of one request per record, never trusted over the
 * records. Damaged records and summaries are skipped, never fatal: history must not stop a backup.
 */
public final class RunLog {
    public static final String PREFIX = "runs/";
    static final String LATEST_PREFIX = PREFIX + "latest/";
    private static final Pattern RECORD = Pattern.compile("runs/\\d{4}/\\d{2}/\\d{2}/\\d{8}T\\d{6}Z-[0-9a-f]{8}\\.json");
    /** Small objects are fetched this many at a time: object stores answer each in milliseconds. */
    private static final int READERS = 16;
    /** Windows up to this many days are listed day by day (a month holds thousands of records). */
    private static final int DAY_LISTING_DAYS = 31;
    /** {@code YYYY/MM/} at the start of a key below {@code catalog/runs/}. */
    private static final Pattern INDEX_MONTH = Pattern.compile("(\\d{4})/(\\d{2})/");

    private final Storage storage;
    private final Clock clock;

    public RunLog(Storage storage, Clock clock) {
        this.storage = Objects.requireNonNull(storage);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The key of a run's record: {@code runs/YYYY/MM/DD/<run-id>.json}. */
    public static String key(String runId) {
        String v = new BackupId(runId).value();
        return PREFIX + v.substring(0, 4) + "/" + v.substring(4, 6) + "/" + v.substring(6, 8) + "/" + v + ".json";
    }

    /** Writes a finished run's record (if-absent), then its job and subject's summary. */
    public void write(RunRecord run) {
        try (StorageWriter w = storage.openWrite(key(run.runId()), WriteOptions.ifAbsent())) {
            w.write(RepositoryJson.write(run));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Key k = new Key(run.job(), run.subject());
        Latest merged = readSummary(k).orElse(Latest.NONE).with(run);
        try (StorageWriter w = storage.openWrite(summaryKey(k), WriteOptions.DEFAULT)) {
            w.write(RepositoryJson.write(merged));
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record of one run, if it exists and can be read. */
    public Optional<RunRecord> find(String runId) {
        if (!BackupId.isValid(runId)) {
            return Optional.empty();
        }
        return read(key(runId));
    }

    /**
     * Every readable record of a run that started at or after {@code since}, newest first. Lists the
     * days from {@code since} on (whole months for windows longer than {@value #DAY_LISTING_DAYS}
     * days), several at once, and takes the records' content from the catalog index of their month
     * ({@code catalog/runs/YYYY/MM/}, see {@link ObjectIndex}) where it matches, else from the
     * records, {@value #READERS} at a time.
     */
    public List<RunRecord> list(Instant since) {
        LocalDate from = dayOf(since);
        LocalDate to = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(1);
        boolean byDay = !from.isBefore(to.minusDays(DAY_LISTING_DAYS));
        List<String> prefixes = byDay ? dayPrefixes(from, to) : monthPrefixes(from, to);
        Map<YearMonth, List<ObjectInfo>> byMonth = new TreeMap<>();
        for (ObjectInfo info : ObjectIndex.list(storage, prefixes, READERS)) {
            if (RECORD.matcher(info.key()).matches() && !startOf(info.key()).isBefore(from)) {
                byMonth.computeIfAbsent(YearMonth.from(startOf(info.key())), m -> new ArrayList<>()).add(info);
            }
        }
        List<RunRecord> runs = new ArrayList<>();
        byMonth.forEach((month, records) -> {
            // the days of this month whose records the listing holds, every one of them
            LocalDate first = from.isAfter(month.atDay(1)) ? from : month.atDay(1);
            LocalDate last = byDay && to.isBefore(month.atEndOfMonth()) ? to : month.atEndOfMonth();
            runs.addAll(index(month).read(records, dayPrefixes(first, last), RunLog::parse).values());
        });
        runs.removeIf(r -> r.startedAt().isBefore(since));
        runs.sort(Comparator.comparing(RunRecord::startedAt).thenComparing(RunRecord::runId).reversed());
        return runs;
    }

    /**
     * The records among {@code listed} (objects a listing of the caller's returned; other keys are
     * ignored), by key, read as {@link #list} reads them: through the catalog index of their month.
     * Records that cannot be read (damaged, or deleted since the listing) are absent.
     */
    public Map<String, RunRecord> read(List<ObjectInfo> listed) {
        Map<YearMonth, List<ObjectInfo>> byMonth = new TreeMap<>();
        for (ObjectInfo info : listed) {
            if (RECORD.matcher(info.key()).matches()) {
                byMonth.computeIfAbsent(YearMonth.from(startOf(info.key())), m -> new ArrayList<>()).add(info);
            }
        }
        Map<String, RunRecord> records = new java.util.LinkedHashMap<>();
        // no scope: the caller's listing need not hold every record of a day
        byMonth.forEach((month, infos) -> records.putAll(index(month).read(infos, List.of(), RunLog::parse)));
        return records;
    }

    private ObjectIndex index(YearMonth month) {
        return new ObjectIndex(storage, String.format("runs/%04d/%02d", month.getYear(), month.getMonthValue()), clock);
    }

    private static ObjectIndex.Parsed<RunRecord> parse(String key, byte[] content) {
        try {
            return new ObjectIndex.Parsed<>(RepositoryJson.mapper().readValue(content, RunRecord.class), true);
        } catch (IOException | RuntimeException e) {
            // a damaged record hides one run, never the rest
            return new ObjectIndex.Parsed<>(null, false);
        }
    }

    /** Per job and subject: the last run, the last success and the last failure. */
    public Map<Key, Latest> latest() {
        Map<Key, Latest> all = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (ObjectInfo info : storage.list(LATEST_PREFIX)) {
            if (info.key().endsWith(".json")) {
                keys.add(info.key());
            }
        }
        for (Latest l : readAll(keys, Latest.class)) {
            if (l.last() != null) {
                all.merge(new Key(l.last().job(), l.last().subject()), l, Latest::merge);
            }
        }
        Instant recent = clock.instant().minus(java.time.Duration.ofDays(2));
        for (RunRecord r : list(recent)) {
            all.merge(new Key(r.job(), r.subject()), Latest.NONE.with(r), Latest::merge);
        }
        return all;
    }

    /** Rewrites every summary from the records (after a restore of the repository, or a lost race). */
    public void rebuildSummaries() {
        Map<Key, Latest> all = new HashMap<>();
        for (RunRecord r : list(Instant.EPOCH)) {
            all.merge(new Key(r.job(), r.subject()), Latest.NONE.with(r), Latest::merge);
        }
        for (ObjectInfo info : storage.list(LATEST_PREFIX)) {
            storage.delete(info.key());
        }
        all.forEach((k, l) -> {
            try (StorageWriter w = storage.openWrite(summaryKey(k), WriteOptions.DEFAULT)) {
                w.write(RepositoryJson.write(l));
                w.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Deletes the records of runs that started before {@code before} (by the day in their key);
     * summaries stay, so the last failure of a subject is remembered however old. Returns how many
     * records were deleted.
     */
    public int prune(Instant before) {
        int n = 0;
        for (ObjectInfo info : storage.list(PREFIX)) {
            if (RECORD.matcher(info.key()).matches() && startOf(info.key()).isBefore(dayOf(before))) {
                storage.delete(info.key());
                n++;
            }
        }
        // the catalog index of a month whose every day is pruned copies nothing that exists
        YearMonth kept = YearMonth.from(dayOf(before));
        String indexes = ObjectIndex.PREFIX + PREFIX;
        for (ObjectInfo info : storage.list(indexes)) {
            Matcher m = INDEX_MONTH.matcher(info.key().substring(indexes.length()));
            if (m.lookingAt() && YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))).isBefore(kept)) {
                storage.delete(info.key());
            }
        }
        return n;
    }

    /** A job and a subject: what one series of runs is about. */
    public record Key(String job, String subject) {
    }

    /**
     * A summary of one job and subject's runs.
     *
     * @param last the last run to finish
     * @param lastSuccess the last run that succeeded, or null
     * @param lastFailure the last run that failed (or was partial), or null
     */
    public record Latest(RunRecord last, RunRecord lastSuccess, RunRecord lastFailure) {
        static final Latest NONE = new Latest(null, null, null);

        Latest with(RunRecord r) {
            return merge(new Latest(r, r.succeeded() ? r : null, r.succeeded() ? null : r));
        }

        Latest merge(Latest o) {
            return new Latest(RunRecord.later(last, o.last), RunRecord.later(lastSuccess, o.lastSuccess),
                    RunRecord.later(lastFailure, o.lastFailure));
        }

    }

    private String summaryKey(Key k) {
        return LATEST_PREFIX + safe(k.job()) + "/" + safe(k.subject()) + ".json";
    }

    /** A name as one key segment: letters, digits, '.', '_' and '-' stay, every other byte is %XX. */
    static String safe(String name) {
        StringBuilder b = new StringBuilder();
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
                    || c == '.' && b.length() > 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return b.toString();
    }

    private Optional<Latest> readSummary(Key k) {
        try (InputStream in = storage.openRead(summaryKey(k))) {
            return Optional.of(RepositoryJson.read(in, Latest.class));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<RunRecord> read(String key) {
        try (InputStream in = storage.openRead(key)) {
            return Optional.of(RepositoryJson.read(in, RunRecord.class));
        } catch (IOException | RuntimeException e) {
            // a damaged record hides one run, never the rest
            return Optional.empty();
        }
    }

    /** Reads many small objects, {@link #READERS} at a time; the ones that cannot be read are left out. */
    private <T> List<T> readAll(List<String> keys, Class<T> type) {
        List<T> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(READERS, keys.size()), r -> {
            Thread t = new Thread(r, "arca-run-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> reads = new ArrayList<>();
            for (String key : keys) {
                reads.add(pool.submit(() -> {
                    try (InputStream in = storage.openRead(key)) {
                        return RepositoryJson.read(in, type);
                    } catch (IOException | RuntimeException e) {
                        return null;
                    }
                }));
            }
            for (Future<T> f : reads) {
                T value = f.get();
                if (value != null) {
                    out.add(value);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading run records", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** {@code runs/YYYY/MM/DD/} of every day from {@code from} to {@code to}, both included. */
    private static List<String> dayPrefixes(LocalDate from, LocalDate to) {
        List<String> prefixes = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            prefixes.add(String.format("%s%04d/%02d/%02d/", PREFIX, d.getYear(), d.getMonthValue(), d.getDayOfMonth()));
        }
        return prefixes;
    }

    /** {@code runs/YYYY/MM/} of every month from {@code from}'s to {@code to}'s, or all of {@code runs/} for a long span. */
    private static List<String> monthPrefixes(LocalDate from, LocalDate to) {
        if (from.isBefore(to.minusMonths(24))) {
            return List.of(PREFIX);
        }
        List<String> prefixes = new ArrayList<>();
        for (LocalDate d = from.withDayOfMonth(1); !d.isAfter(to); d = d.plusMonths(1)) {
            prefixes.add(String.format("%s%04d/%02d/", PREFIX, d.getYear(), d.getMonthValue()));
        }
        return prefixes;
    }

    private static LocalDate dayOf(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    private static LocalDate startOf(String key) {
        return LocalDate.of(Integer.parseInt(key.substring(5, 9)), Integer.parseInt(key.substring(10, 12)),
                Integer.parseInt(key.substring(13, 15)));
    }
}
