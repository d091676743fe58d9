package io.arca.core.repo.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.arca.core.repo.BackupId;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.storage.ObjectInfo;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageNotFoundException;
import io.arca.core.storage.StorageWriter;
import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Copies of many small, never rewritten repository files (manifests, run records, drill evidence)
 * in a few segments under {@code catalog/<name>/}, so that a reader fetches a handful of objects
 * instead of one per file. An object store answers each GET in milliseconds at best; 5,000
 * manifests one by one take seconds however many are fetched at once, their segments a fraction of
 * one.
 *
 * <p><b>Never trusted over the files.</b> A reader always lists the files themselves (a listing is
 * the only way to know what exists) and takes a file's content from a segment only when the
 * segment's entry has the key, size and modification time of the listed object; every other file is
 * read directly. A file present but missing from the segments is read; an entry whose file is gone
 * is ignored; a segment that cannot be read is ignored as a whole; a copy never makes a file look
 * damaged (only copies of usable files are written, and any other is read from its file). Arca never rewrites the files
 * indexed here, so a file with the size and time it had when it was copied has the content that was
 * copied. What a time with whole seconds (S3's) cannot tell apart is a file replaced by hand within
 * the second it was written, with the same size: commands that restore, verify or drill one backup
 * therefore read its manifest itself once more.
 *
 * <p><b>Maintained by readers, best effort.</b> After a read that fetched at least
 * {@link Limits#minNew} indexable files directly, the reader adds a segment holding them; once there
 * are more than {@link Limits#maxSegments} segments, or a segment is damaged, or many entries name
 * files that are gone or changed, it writes one segment with every entry still valid and deletes the
 * segments it read. Segments are immutable and written if-absent under new names, so concurrent
 * readers never lose a file: at worst an entry is duplicated or a file is read directly once more.
 * Every failure to write or delete is ignored (a store with read-only credentials simply never gets
 * an index), and deleting {@code catalog/} by hand is always safe: the next reads rebuild it.
 *
 * <p>A segment, {@code catalog/<name>/<YYYYMMDDTHHMMSSZ>-<8 hex>.json.gz}, is gzip-compressed JSON:
 * {@code {"formatVersion": 1, "createdAt": ..., "entries": [{"key", "size", "lastModified",
 * "content"}]}}, {@code content} being the file's text. gzip's CRC guards the segment; an entry
 * whose content does not have its size, or that the reader cannot use (a manifest that would be
 * damaged), is ignored and its file read; a segment of a newer format is ignored and never deleted.
 */
public final class ObjectIndex {
    /** The prefix of every index. */
    public static final String PREFIX = "catalog/";
    /** The segment format this Arca writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    private static final Pattern SEGMENT = Pattern.compile("\\d{8}T\\d{6}Z-[0-9a-f]{8}\\.json\\.gz");
    private static final JsonFactory JSON = RepositoryJson.mapper().getFactory();

    /**
     * When readers change the index, and how many objects they read at once.
     *
     * @param minNew files read directly that make a reader add a segment
     * @param maxSegments segments beyond which a reader merges them into one
     * @param readers objects fetched at once (object stores answer many requests in parallel)
     */
    public record Limits(int minNew, int maxSegments, int readers) {
        /** 32 new files, 8 segments, 16 requests at once. */
        public static final Limits DEFAULT = new Limits(32, 8, 16);

        public Limits {
            if (minNew < 1 || maxSegments < 1 || readers < 1) {
                throw new IllegalArgumentException("index limits must be positive");
            }
        }
    }

    /**
     * What a reader makes of one file's content.
     *
     * @param value what the content means, or null when nothing can be used (the file is left out of
     *     {@link #read}'s result)
     * @param indexable whether a copy of the content may serve later reads (a damaged manifest is
     *     read directly every time)
     */
    public record Parsed<T>(T value, boolean indexable) {
    }

    /** Turns a file's content into a value; never throws for bad content (returns a null value instead). */
    @FunctionalInterface
    public interface Parser<T> {
        Parsed<T> parse(String key, byte[] content);
    }

    private final Storage storage;
    private final String segmentPrefix;
    private final Clock clock;
    private final Limits limits;
    private final Random random = new SecureRandom();

    /** The index {@code catalog/<name>/} ({@code backups}, {@code drills}, {@code runs/2026/12}). */
    public ObjectIndex(Storage storage, String name, Clock clock) {
        this(storage, name, clock, Limits.DEFAULT);
    }

    public ObjectIndex(Storage storage, String name, Clock clock, Limits limits) {
        this.storage = Objects.requireNonNull(storage);
        this.segmentPrefix = PREFIX + Storage.checkKey(name) + "/";
        this.clock = Objects.requireNonNull(clock);
        this.limits = Objects.requireNonNull(limits);
    }

    /** Where this index's segments are: {@code catalog/<name>/}. */
    public String segmentPrefix() {
        return segmentPrefix;
    }

    /**
     * Reads the files of a listing: from the segments where they match, else directly, and brings
     * the index up to date (best effort).
     *
     * @param listed files as a listing just returned them
     * @param scope the prefixes under which {@code listed} is everything that exists: entries under
     *     them that match no listed file are out of date; entries elsewhere are kept as they are
     * @param parser what to make of each file's content
     * @return the value of each listed file, in the order of {@code listed}; files deleted since the
     *     listing, and files the parser found nothing in, are absent
     * @throws io.arca.core.storage.StorageException when a file cannot be read for another reason
     *     than being gone
     */
    public <T> Map<String, T> read(List<ObjectInfo> listed, List<String> scope, Parser<T> parser) {
        Map<String, ObjectInfo> byKey = new HashMap<>();
        for (ObjectInfo info : listed) {
            byKey.put(info.key(), info);
        }
        List<String> segments = segments();
        Segments index = load(segments, byKey);
        List<Callable<Outcome<T>>> tasks = new ArrayList<>(listed.size());
        for (ObjectInfo info : listed) {
            Entry e = index.entries.get(info.key());
            tasks.add(e != null && e.matches(info) ? () -> fromEntry(info, e, parser) : () -> fetch(info, parser));
        }
        List<Outcome<T>> outcomes = parallel(tasks);
        Map<String, T> values = new LinkedHashMap<>();
        for (Outcome<T> o : outcomes) {
            if (o != null && o.parsed.value() != null) {
                values.put(o.info.key(), o.parsed.value());
            }
        }
        maintain(segments, index, outcomes, byKey, scope);
        return values;
    }

    /** Drops the whole index: every segment (best effort). The next reads rebuild it. */
    public void clear() {
        for (String key : segments()) {
            deleteQuietly(key);
        }
    }

    /** Lists several prefixes at once (a store lists one page per request) and returns everything found, sorted. */
    public static List<ObjectInfo> list(Storage storage, List<String> prefixes, int readers) {
        List<Callable<List<ObjectInfo>>> tasks = new ArrayList<>();
        for (String prefix : prefixes) {
            tasks.add(() -> storage.list(prefix));
        }
        List<ObjectInfo> all = new ArrayList<>();
        for (List<ObjectInfo> page : parallel(tasks, readers)) {
            all.addAll(page);
        }
        all.sort(Comparator.comparing(ObjectInfo::key, Storage::compareKeys));
        return all;
    }

    /** One entry: a copy of the file {@code key} as it was when it had {@code size} and {@code lastModified}. */
    private record Entry(String key, long size, Instant lastModified, byte[] content) {
        boolean matches(ObjectInfo info) {
            return size == info.size() && lastModified.equals(info.lastModified());
        }
    }

    /** A listed file and what came of it; {@code entry} is the entry it was taken from, or null when fetched. */
    private record Outcome<T>(ObjectInfo info, Parsed<T> parsed, Entry entry, byte[] fetched) {
        Outcome(ObjectInfo info, Parsed<T> parsed, Entry entry) {
            this(info, parsed, entry, null);
        }
    }

    /** The segments read: their entries by key, and which segments were damaged or newer than this Arca. */
    private static final class Segments {
        final Map<String, Entry> entries = new HashMap<>();
        int valid;
        int damaged;
        final List<String> newer = new ArrayList<>();
    }

    /** The value of a file from its entry; read from the file itself when the copy is of no use (only a damaged index holds such). */
    private <T> Outcome<T> fromEntry(ObjectInfo info, Entry e, Parser<T> parser) {
        Parsed<T> parsed = parser.parse(info.key(), e.content);
        return parsed.indexable() ? new Outcome<>(info, parsed, e) : fetch(info, parser);
    }

    private <T> Outcome<T> fetch(ObjectInfo info, Parser<T> parser) {
        byte[] content;
        try (InputStream in = storage.openRead(info.key())) {
            content = in.readAllBytes();
        } catch (StorageNotFoundException e) {
            return null; // deleted since it was listed
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + info.key() + "': " + e.getMessage(), e);
        }
        return new Outcome<>(info, parser.parse(info.key(), content), null, content);
    }

    private List<String> segments() {
        List<String> keys = new ArrayList<>();
        for (ObjectInfo info : storage.list(segmentPrefix)) {
            String name = info.key().substring(segmentPrefix.length());
            if (SEGMENT.matcher(name).matches()) {
                keys.add(info.key());
            }
        }
        return keys;
    }

    private Segments load(List<String> keys, Map<String, ObjectInfo> listed) {
        List<Callable<SegmentRead>> tasks = new ArrayList<>();
        for (String key : keys) {
            tasks.add(() -> readSegment(key));
        }
        Segments s = new Segments();
        List<SegmentRead> reads = parallel(tasks);
        for (int i = 0; i < keys.size(); i++) {
            SegmentRead read = reads.get(i);
            if (read == null) {
                continue; // deleted since listed: merged by another reader
            }
            switch (read.state) {
                case DAMAGED -> s.damaged++;
                case NEWER -> s.newer.add(keys.get(i));
                case VALID -> {
                    s.valid++;
                    for (Entry e : read.entries) {
                        Entry had = s.entries.get(e.key());
                        ObjectInfo info = listed.get(e.key());
                        // of two copies of one file, the one that matches the listing
                        if (had == null || info != null && !had.matches(info) && e.matches(info)) {
                            s.entries.put(e.key(), e);
                        }
                    }
                }
            }
        }
        return s;
    }

    private enum State { VALID, DAMAGED, NEWER }

    private record SegmentRead(State state, List<Entry> entries) {
    }

    /** A segment's entries; null when it is gone. Never throws for a damaged segment. */
    private SegmentRead readSegment(String key) {
        List<Entry> entries = new ArrayList<>();
        try (InputStream raw = storage.openRead(key);
                JsonParser p = JSON.createParser(new GZIPInputStream(raw, 64 * 1024))) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("formatVersion")) {
                    expect(value, JsonToken.VALUE_NUMBER_INT);
                    if (p.getIntValue() > FORMAT_VERSION) {
                        return new SegmentRead(State.NEWER, List.of());
                    }
                } else if (field.equals("entries")) {
                    expect(value, JsonToken.START_ARRAY);
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Entry e = entry(p);
                        if (e != null) {
                            entries.add(e);
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new SegmentRead(State.VALID, entries);
        } catch (StorageNotFoundException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            // damaged (or a store failure): the files it holds are read directly
            return new SegmentRead(State.DAMAGED, List.of());
        }
    }

    /** One entry; null when its content does not have its size. */
    private static Entry entry(JsonParser p) throws IOException {
        String key = null;
        long size = -1;
        Instant lastModified = null;
        String content = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "key" -> key = p.getValueAsString();
                case "size" -> size = p.getValueAsLong(-1);
                case "lastModified" -> lastModified = Instant.parse(p.getValueAsString());
                case "content" -> content = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        if (key == null || lastModified == null || content == null) {
            return null;
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return bytes.length == size ? new Entry(key, size, lastModified, bytes) : null;
    }

    private static void expect(JsonToken got, JsonToken wanted) throws IOException {
        if (got != wanted) {
            throw new IOException("expected " + wanted + ", found " + got);
        }
    }

    /**
     * Adds a segment with the files read directly when there are enough of them, or merges every
     * segment into one when there are too many, one was damaged, or many entries are out of date.
     */
    private <T> void maintain(List<String> segments, Segments index, List<Outcome<T>> outcomes,
            Map<String, ObjectInfo> listed, List<String> scope) {
        List<Entry> fresh = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        for (Outcome<T> o : outcomes) {
            if (o == null || !o.parsed.indexable()) {
                continue;
            }
            if (o.entry != null) {
                current.add(o.entry);
            } else if (o.fetched.length == o.info.size() && validText(o.fetched)) {
                // a file replaced between the listing and the read has another size or is caught next time by its time
                fresh.add(new Entry(o.info.key(), o.info.size(), o.info.lastModified(), o.fetched));
            }
        }
        int outdated = 0;
        List<Entry> outside = new ArrayList<>();
        for (Entry e : index.entries.values()) {
            if (!inScope(e.key(), scope)) {
                outside.add(e);
            } else {
                ObjectInfo info = listed.get(e.key());
                if (info == null || !e.matches(info)) {
                    outdated++;
                }
            }
        }
        int total = index.entries.size();
        boolean merge = index.damaged > 0 || index.valid + (fresh.size() >= limits.minNew() ? 1 : 0) > limits.maxSegments()
                || outdated > Math.max(limits.minNew(), total / 4);
        try {
            if (merge) {
                List<Entry> all = new ArrayList<>(outside);
                all.addAll(current);
                all.addAll(fresh);
                if (!all.isEmpty()) {
                    write(all);
                }
                for (String key : segments) {
                    if (!index.newer.contains(key)) {
                        deleteQuietly(key);
                    }
                }
            } else if (fresh.size() >= limits.minNew()) {
                write(fresh);
            }
        } catch (RuntimeException e) {
            // the index is a cache: a store that refuses writes (read-only credentials) never gets one
        }
    }

    private static boolean inScope(String key, List<String> scope) {
        for (String prefix : scope) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code bytes} survive the trip through a JSON string unchanged (valid UTF-8). */
    private static boolean validText(byte[] bytes) {
        return Arrays.equals(new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), bytes);
    }

    private void write(List<Entry> entries) {
        Instant now = clock.instant();
        String key = segmentPrefix + BackupId.generate(now, random).value() + ".json.gz";
        try (StorageWriter w = storage.openWrite(key, WriteOptions.ifAbsent())) {
            GZIPOutputStream gzip = new GZIPOutputStream(w, 64 * 1024);
            try (JsonGenerator g = JSON.createGenerator(gzip)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartObject();
                g.writeNumberField("formatVersion", FORMAT_VERSION);
                g.writeStringField("createdAt", now.toString());
                g.writeArrayFieldStart("entries");
                for (Entry e : entries) {
                    g.writeStartObject();
                    g.writeStringField("key", e.key());
                    g.writeNumberField("size", e.size());
                    g.writeStringField("lastModified", e.lastModified().toString());
                    g.writeStringField("content", new String(e.content(), StandardCharsets.UTF_8));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            gzip.finish();
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteQuietly(String key) {
        try {
            storage.delete(key);
        } catch (RuntimeException e) {
            // a segment left behind is merged or deleted by a later reader
        }
    }

    private <R> List<R> parallel(List<Callable<R>> tasks) {
        return parallel(tasks, limits.readers());
    }

    /** Runs {@code tasks} on up to {@code threads} threads; results in task order; the first failure is thrown. */
    public static <R> List<R> parallel(List<Callable<R>> tasks, int threads) {
        List<R> results = new ArrayList<>(tasks.size());
        if (tasks.isEmpty()) {
            return results;
        }
        if (tasks.size() == 1) {
            try {
                results.add(tasks.get(0).call());
                return results;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()), r -> {
            Thread t = new Thread(r, "arca-index-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(tasks.size());
            for (Callable<R> task : tasks) {
                futures.add(pool.submit(task));
            }
            for (Future<R> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading repository files", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
