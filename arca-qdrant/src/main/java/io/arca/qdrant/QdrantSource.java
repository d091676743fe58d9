package io.arca.qdrant;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.BackupContext;
import io.arca.core.source.BackupPart;
import io.arca.core.source.BackupSource;
import io.arca.core.source.RestoreContext;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.core.source.VerifyContext;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code qdrant.snapshot} source: Qdrant collections, one snapshot each, taken and restored
 * through Qdrant's REST API ({@code arca backup --qdrant URL --qdrant-collection NAME|--qdrant-all},
 * {@code arca restore ID --qdrant URL [--qdrant-collection NAME[:TARGET]]}). Each collection is one
 * section (subject {@code qdrant://host:port/collection}, details {@link QdrantDetails}) holding one
 * artifact, Qdrant's own snapshot file, so that a by-hand restore is an upload with {@code curl}
 * ({@code docs/qdrant.md}).
 */
public final class QdrantSource implements BackupSource {
    /** The source id recorded in manifests. */
    public static final String ID = "qdrant.snapshot";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String title() {
        return "Qdrant collections";
    }

    @Override
    public List<SourceOption> backupOptions() {
        return QdrantOptions.BACKUP;
    }

    @Override
    public boolean backupSelected(SourceOptions options) {
        return QdrantOptions.backupSelected(options);
    }

    @Override
    public void checkBackup(SourceOptions options) {
        QdrantOptions.backup(options);
    }

    @Override
    public List<BackupPart> backup(BackupContext context, SourceOptions options) throws IOException {
        QdrantOptions.Backup o = QdrantOptions.backup(options);
        return new QdrantBackup(context, new QdrantClient(o.connection())).run(o);
    }

    @Override
    public List<SourceOption> restoreOptions() {
        return QdrantOptions.RESTORE;
    }

    @Override
    public boolean restoreSelected(SourceOptions options) {
        return options.has(QdrantOptions.URL);
    }

    @Override
    public boolean restoreOnly(SourceOptions options) {
        return options.has(QdrantOptions.ONLY);
    }

    @Override
    public void checkRestore(SourceOptions options) {
        QdrantOptions.restore(options);
    }

    @Override
    public void checkTargets(RestoreContext context, List<Section> sections, SourceOptions options)
            throws IOException {
        QdrantOptions.Restore o = QdrantOptions.restore(options);
        Map<String, String> targets = o.targets(collections(context.manifest()), context.manifest().backupId());
        QdrantClient client = new QdrantClient(o.connection());
        for (Section section : sections) {
            String target = targets.get(QdrantRestore.details(section).collection());
            if (target != null && !context.clean()) {
                QdrantRestore.refuseExisting(client, section, target);
            }
        }
    }

    @Override
    public String restore(RestoreContext context, Section section, SourceOptions options) throws IOException {
        QdrantOptions.Restore o = QdrantOptions.restore(options);
        BackupManifest manifest = context.manifest();
        // checked against every collection of the backup, so a misspelt name fails before anything is restored
        Map<String, String> targets = o.targets(collections(manifest), manifest.backupId());
        String collection = QdrantRestore.details(section).collection();
        String target = targets.get(collection);
        if (target == null) {
            return "qdrant collection '" + collection + "' left out (not named by " + QdrantOptions.COLLECTION + ")";
        }
        QdrantClient client = new QdrantClient(o.connection());
        return new QdrantRestore(context.repository(), manifest, client, context.progress(), o.connection().timeout())
                .restore(section, target, context.clean());
    }

    @Override
    public List<String> contents(Repository repository, BackupManifest manifest, Section section) {
        QdrantDetails d = QdrantRestore.details(section);
        ArtifactRecord a = QdrantRestore.artifact(manifest, section);
        return List.of("qdrant collection '" + d.collection() + "': " + d.expectedCount() + " points, vectors "
                + d.vectors() + ", snapshot '" + d.snapshot() + "' (" + a.size() + " bytes, qdrant " + d.qdrantVersion()
                + ") in '" + a.file() + "'");
    }

    @Override
    public List<String> verify(VerifyContext context, Section section) throws IOException {
        QdrantDetails d = QdrantRestore.details(section);
        ArtifactRecord a = QdrantRestore.artifact(context.manifest(), section);
        List<String> problems = new ArrayList<>();
        if (a.size() != d.size()) {
            problems.add("qdrant collection '" + d.collection() + "': the snapshot is " + a.size()
                    + " bytes, its section records " + d.size());
        }
        if (d.qdrantChecksum() != null && a.sha256() != null && !d.qdrantChecksum().equalsIgnoreCase(a.sha256())) {
            problems.add("qdrant collection '" + d.collection() + "': the snapshot's sha-256 differs from the one"
                    + " qdrant reported");
        }
        context.progress().note("reading '" + a.file() + "' (qdrant collection '" + d.collection() + "')");
        try (InputStream in = context.repository().openArtifact(context.manifest(), a)) {
            for (String p : SnapshotArchive.check(in).problems()) {
                problems.add("qdrant collection '" + d.collection() + "' ('" + a.file() + "'): " + p);
            }
        } catch (ArcaException e) {
            if (e.code() != ErrorCode.VERIFICATION_FAILED) {
                throw e;
            }
            problems.add(e.getMessage());
        }
        return problems;
    }

    @Override
    public List<SourceOption> drillOptions() {
        return QdrantOptions.DRILL;
    }

    @Override
    public Optional<List<String>> drill(RestoreContext context, Section section, SourceOptions options)
            throws IOException {
        Optional<QdrantOptions.Connection> scratch = QdrantOptions.scratch(options);
        if (scratch.isEmpty()) {
            return Optional.empty();
        }
        QdrantDetails d = QdrantRestore.details(section);
        QdrantClient client = new QdrantClient(scratch.get());
        return Optional.of(new QdrantRestore(context.repository(), context.manifest(), client, context.progress(),
                scratch.get().timeout()).drill(section, temporaryName(d.collection())));
    }

    /** {@code arca-drill-<collection>-<random>}, in characters Qdrant accepts in new names. */
    static String temporaryName(String collection) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        String base = collection.replaceAll("[<>:\"/\\\\|?*\\x00-\\x1f]", "_");
        if (base.length() > 200) {
            base = base.substring(0, 200);
        }
        return "arca-drill-" + base + "-" + HexFormat.of().formatHex(random).toLowerCase(Locale.ROOT);
    }

    /** The collections a backup holds, in manifest order. */
    private static List<String> collections(BackupManifest manifest) {
        return manifest.sections().stream().filter(s -> s.isSource(ID))
                .map(s -> QdrantRestore.details(s).collection()).toList();
    }
}
