package io.arca.postgres.logical;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.pipeline.ArtifactOutput;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.Repository.PendingBackup;
import io.arca.postgres.archive.ArchiveToc;
import io.arca.postgres.archive.TocEntry;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.ToolProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory-format dump ({@code pg_dump -Fd -Z0 -j N}). pg_dump writes its files itself, so
 * they pass through a staging directory: each table's file is followed while it grows and
 * compressed into its artifact at the same time, then deleted once pg_dump reports the item
 * finished (or exits). The other files ({@code toc.dat}, large objects) are stored after pg_dump
 * exits. With {@code --jobs} 2 or more, local disk holds at most the table files being written at
 * the time. A non-parallel pg_dump reports no finished items, so with {@code --jobs 1} a file is
 * known to be complete only when pg_dump exits, and the staging directory holds the whole dump
 * until then (guessing completion earlier could cut a table short).
 */
final class DirectoryDump {
    private static final Pattern TABLE_FILE = Pattern.compile("(\\d+)\\.dat");
    private static final Pattern FINISHED_ITEM = Pattern.compile("finished item (\\d+) ");
    private static final long POLL_MILLIS = 20;

    private final PendingBackup pending;
    private final CodecSpec codec;
    private final String prefix;
    private final Set<String> finishedItems = ConcurrentHashMap.newKeySet();
    private final Map<String, Future<ArtifactRecord>> followed = new ConcurrentHashMap<>();
    private volatile boolean dumpEnded;

    private volatile List<TableRef> tables;

    DirectoryDump(PendingBackup pending, CodecSpec codec, String prefix) {
        this.pending = pending;
        this.codec = codec;
        this.prefix = prefix;
    }

    /** Runs pg_dump into {@code staging} and stores every file; returns the artifacts sorted by name. */
    List<ArtifactRecord> run(Path pgDump, List<String> args, ConnectionSettings db, int jobs, Path staging) {
        Path dir = staging.resolve("dump");
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--format=directory", "--compress=0", "--jobs=" + jobs, "--verbose", "--file=" + dir));
        // pg_dump -j N writes at most N table files at once, so N followers never wait on each other.
        ExecutorService followers = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "arca-follow");
            t.setDaemon(true);
            return t;
        });
        try {
            ToolProcess dump = ToolProcess.builder(pgDump).args(all).environment(db.libpqEnvironment())
                    .stderrListener(this::onStderr).noStdin().discardStdout().start();
            try {
                while (dump.isAlive()) {
                    followNewFiles(dir, followers);
                    Thread.sleep(POLL_MILLIS);
                }
                dump.waitForSuccess("pg_dump");
            } finally {
                dumpEnded = true;
                dump.destroy();
            }
            followNewFiles(dir, followers);
            List<ArtifactRecord> records = new ArrayList<>();
            for (Future<ArtifactRecord> f : followed.values()) {
                records.add(f.get());
            }
            try (Stream<Path> rest = Files.list(dir)) {
                for (Path p : rest.sorted().toList()) {
                    records.add(store(p));
                }
            }
            records.sort(Comparator.comparing(ArtifactRecord::name));
            return records;
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.STORAGE_ACCESS, "storing the directory dump failed: " + e.getMessage(),
                    "check that the repository and --staging-dir are writable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArcaException(ErrorCode.INTERRUPTED, "backup interrupted", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ArcaException(ErrorCode.STORAGE_ACCESS, "storing a dump file failed: " + e.getCause().getMessage(),
                    "check that the repository is writable", e.getCause());
        } finally {
            dumpEnded = true;
            followers.shutdownNow();
        }
    }

    /**
     * The tables whose data the dump holds, read from the staged {@code toc.dat} before it was
     * stored (a backup that encrypts to a public key cannot read its own artifacts back); null
     * when pg_dump wrote no {@code toc.dat}.
     */
    List<TableRef> tables() {
        return tables;
    }

    /** The tables whose data a {@code toc.dat} holds. */
    static List<TableRef> tables(InputStream tocDat) throws IOException {
        List<TableRef> tables = new ArrayList<>();
        for (TocEntry e : ArchiveToc.readTocDat(tocDat).entries()) {
            if (e.is("TABLE DATA")) {
                tables.add(new TableRef(e.namespace(), e.tag()));
            }
        }
        return tables;
    }

    private void onStderr(String line) {
        Matcher m = FINISHED_ITEM.matcher(line);
        if (m.find()) {
            finishedItems.add(m.group(1));
        }
    }

    private void followNewFiles(Path dir, ExecutorService followers) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = TABLE_FILE.matcher(p.getFileName().toString());
                if (m.matches() && !followed.containsKey(m.group(1))) {
                    followed.put(m.group(1), followers.submit(() -> follow(p, m.group(1))));
                }
            }
        }
    }

    /** Stores a table file while pg_dump writes it; done when pg_dump finished the item and EOF is reached. */
    private ArtifactRecord follow(Path file, String item) throws IOException, InterruptedException {
        String name = prefix + file.getFileName();
        try (ArtifactOutput out = pending.openArtifact(name, codec);
                FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (true) {
                // Read the flag before reading to the end: once it is set, pg_dump has closed the file.
                boolean complete = dumpEnded || finishedItems.contains(item);
                int n = in.read(buffer);
                if (n > 0) {
                    out.write(buffer.array(), 0, n);
                    buffer.clear();
                } else if (complete) {
                    break;
                } else {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
            }
            return stored(file, name, out);
        }
    }

    private ArtifactRecord store(Path file) throws IOException {
        String name = prefix + file.getFileName();
        if (file.getFileName().toString().equals("toc.dat")) {
            try (InputStream in = Files.newInputStream(file)) {
                tables = tables(in);
            }
        }
        try (ArtifactOutput out = pending.openArtifact(name, codec);
                InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
            return stored(file, name, out);
        }
    }

    /** Commits the artifact, then deletes the staged file. */
    private ArtifactRecord stored(Path file, String name, ArtifactOutput out) throws IOException {
        ArtifactRecord r = ArtifactRecord.of(name, LogicalBackup.SOURCE, DumpFormat.DIRECTORY.artifactFormat(), out,
                out.finish(), List.of());
        Files.delete(file);
        return r;
    }
}
