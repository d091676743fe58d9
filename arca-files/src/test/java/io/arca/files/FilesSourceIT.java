package io.arca.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arca.core.TempFiles;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.repo.ArtifactRecord;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.RepositoryJson;
import io.arca.core.source.BackupSources;
import io.arca.core.source.Section;
import io.arca.core.source.SourceOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files source against a real local repository and real files: what a backup stores, what a
 * restore brings back and refuses, and what verify catches.
 */
class FilesSourceIT {
    @TempDir
    Path dir;

    @Test
    void backupAndRestoreKeepTheTree() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));

        BackupManifest m = repo.backup(app.resolve("secrets").toString(), app.resolve(".env").toString());

        assertThat(m.sections()).extracting(Section::source).containsExactly("files", "files");
        assertThat(m.sections()).extracting(s -> s.subject().uri()).containsExactly(
                "files://" + TempFiles.hostName() + app.resolve("secrets"), "files://" + TempFiles.hostName()
                        + app.resolve(".env"));
        assertThat(m.artifacts()).extracting(ArtifactRecord::name, ArtifactRecord::format, ArtifactRecord::file)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("files/secrets.tar", "tar", "files/secrets.tar.zst"),
                        org.assertj.core.groups.Tuple.tuple("files/env.tar", "tar", "files/env.tar.zst"));
        FilesDetails secrets = m.sections().get(0).details(FilesDetails.class);
        assertThat(secrets.path()).isEqualTo(app.resolve("secrets").toString());
        assertThat(secrets.root()).isEqualTo("secrets");
        assertThat(secrets.notes()).containsExactlyInAnyOrder("'secrets/agent.sock' is a socket; left out",
                "'secrets/events.fifo' is a fifo; left out");
        assertThat(repo.notes).contains("files: 'secrets/agent.sock' is a socket; left out");

        Path restored = dir.resolve("restored");
        List<String> lines = repo.restore(m, restored, false);

        assertThat(lines).containsExactly("restored into '" + restored.resolve("secrets") + "': "
                + secrets.entries().size() + " entries", "restored into '" + restored.resolve(".env") + "': 1 entry");
        assertThat(FileTrees.snapshot(restored.resolve("secrets"))).isEqualTo(FileTrees.snapshot(app.resolve("secrets")));
        assertThat(FileTrees.snapshot(restored.resolve(".env"))).isEqualTo(FileTrees.snapshot(app.resolve(".env")));
        assertThat(FileTrees.names(restored)).containsExactly(".env", "secrets");
        assertThat(Files.readSymbolicLink(restored.resolve("secrets/outside.key"))).isEqualTo(dir.resolve("outside.key"));
        assertThat(Files.isDirectory(restored.resolve("secrets/empty"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        if (FileTrees.ROOT) {
            assertThat(Files.getAttribute(restored.resolve("secrets/owned"), "unix:uid")).isEqualTo(1234);
            assertThat(Files.getAttribute(restored.resolve("secrets/owned"), "unix:gid")).isEqualTo(5678);
        }
        assertThat(repo.verify(m)).isEmpty();
    }

    @Test
    void contentsListsEveryEntryLikeTarTv() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        String ids = FileTrees.ROOT ? "0/0" : Files.getAttribute(app, "unix:uid") + "/" + Files.getAttribute(app, "unix:gid");

        List<String> lines = new FilesSource().contents(repo.repository, m, m.sections().get(0));

        assertThat(lines).first().isEqualTo("drwx------ " + ids + " 0 secrets/");
        assertThat(lines).contains("-rw------- " + ids + " 20 secrets/db.env",
                "-rwsr-x--- " + ids + " 6 secrets/setuid-tool",
                "lrwxrwxrwx " + (FileTrees.ROOT ? "1234/0" : ids) + " 0 secrets/current.key -> tls/private/server.key",
                "lrwxrwxrwx " + ids + " 0 secrets/outside.key -> " + dir.resolve("outside.key"),
                "-rw-r--r-- " + ids + " 6 secrets/grüße.txt");
        // directories come before what they hold
        assertThat(lines.indexOf("drwxr-x--- " + (FileTrees.ROOT ? "0/5678" : ids) + " 0 secrets/tls/private/"))
                .isPositive().isLessThan(lines.indexOf("-r-------- " + ids + " 20 secrets/tls/private/server.key"));
    }

    @Test
    void existingFilesStopARestoreWithoutCleanAndAreReplacedWithIt() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        Path restored = dir.resolve("restored");
        repo.restore(m, restored, false);
        Files.writeString(restored.resolve("secrets/db.env"), "changed since\n");
        Files.writeString(restored.resolve("secrets/extra.txt"), "not in the backup\n");
        Files.delete(restored.resolve("secrets/rotate.sh"));

        assertThatThrownBy(() -> repo.restore(m, restored, false)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
            assertThat(e.getMessage()).startsWith("'secrets/api.key', 'secrets/current.key', 'secrets/dangling', ")
                    .endsWith(" more already exist in '" + restored + "'");
            assertThat(e.hint()).contains("--clean");
        });
        assertThat(restored.resolve("secrets/db.env")).hasContent("changed since");
        assertThat(restored.resolve("secrets/rotate.sh")).doesNotExist();
        assertThat(FileTrees.names(restored)).containsExactly("secrets");

        List<String> lines = repo.restore(m, restored, true);

        assertThat(lines.get(0)).endsWith("16 entries, 11 replaced, 4 existing directories kept");
        assertThat(restored.resolve("secrets/db.env")).hasContent("DB_PASSWORD=hunter2");
        assertThat(restored.resolve("secrets/rotate.sh")).exists();
        assertThat(restored.resolve("secrets/extra.txt")).as("what the backup does not hold stays").exists();
        Files.delete(restored.resolve("secrets/extra.txt"));
        FileTrees.ageAll(restored.resolve("secrets"));
        // --clean also set the kept directories' modes and mtimes
        assertThat(FileTrees.snapshot(restored.resolve("secrets"))).isEqualTo(FileTrees.snapshot(app.resolve("secrets")));
        assertThat(FileTrees.names(restored)).containsExactly("secrets");
    }

    @Test
    void everySectionsTargetIsCheckedBeforeAnyIsRestored() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString(), app.resolve(".env").toString());
        Path restored = Files.createDirectories(dir.resolve("restored"));
        Files.writeString(restored.resolve(".env"), "LOCAL=1\n");

        assertThatThrownBy(() -> repo.restore(m, restored, false)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.getMessage()).isEqualTo("'.env' already exists in '" + restored + "'"));

        assertThat(FileTrees.names(restored)).containsExactly(".env");
        assertThat(restored.resolve(".env")).hasContent("LOCAL=1");
    }

    @Test
    void anExistingDirectoryIsRestoredIntoAndKeptAsItIs() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        Path restored = dir.resolve("restored");
        Path existing = Files.createDirectories(restored.resolve("secrets"));
        Files.setAttribute(existing, "unix:mode", 0755);
        Files.writeString(existing.resolve("local-only"), "mine\n");

        List<String> lines = repo.restore(m, restored, false);

        assertThat(lines.get(0)).endsWith(" entries, 1 existing directory kept");
        assertThat(Integer.toOctalString((Integer) Files.getAttribute(existing, "unix:mode") & 07777)).isEqualTo("755");
        assertThat(existing.resolve("local-only")).hasContent("mine");
        assertThat(existing.resolve("tls/private/server.key")).hasContent("-----BEGIN KEY-----");
    }

    @Test
    void aDirectoryWhereTheBackupHasAFileIsNeverDeleted() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve(".env").toString());
        Path restored = dir.resolve("restored");
        Files.createDirectories(restored.resolve(".env/inside"));

        assertThatThrownBy(() -> repo.restore(m, restored, true)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
            assertThat(e.getMessage()).isEqualTo("'.env' in '" + restored + "' is a directory where the backup has a"
                    + " file or link");
        });
        assertThat(restored.resolve(".env/inside")).isDirectory();
    }

    @Test
    void aLinkInTheTargetIsReplacedNeverWrittenThrough() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path restored = Files.createDirectories(dir.resolve("restored"));
        Files.createSymbolicLink(restored.resolve("secrets"), outside);

        assertThatThrownBy(() -> repo.restore(m, restored, false)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.getMessage()).isEqualTo("'secrets' already exists in '" + restored + "'"));
        repo.restore(m, restored, true);

        assertThat(FileTrees.names(outside)).isEmpty();
        assertThat(Files.isSymbolicLink(restored.resolve("secrets"))).isFalse();
        assertThat(FileTrees.snapshot(restored.resolve("secrets"))).isEqualTo(FileTrees.snapshot(app.resolve("secrets")));
    }

    /**
     * An artifact whose every member is fine but whose digest is not: the damage shows only at the
     * end of the stream, after every member was extracted. Nothing may reach the target.
     */
    @Test
    void anArtifactThatFailsItsDigestRestoresNothing() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        Path stored = storedFile(repo, m, "files/secrets.tar.zst");
        // the same tar with one more zero block after its end, compressed again
        shell("zstd -dc '" + stored + "' > '" + dir + "/t.tar' && head -c 512 /dev/zero >> '" + dir + "/t.tar'"
                + " && zstd -q -f '" + dir + "/t.tar' -o '" + stored + "'");
        Path restored = dir.resolve("restored");

        assertThatThrownBy(() -> repo.restore(m, restored, false)).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).startsWith("artifact '").contains("files/secrets.tar.zst' is corrupt: ");
            assertThat(e.hint()).startsWith("nothing was restored");
        });

        assertThat(restored).as("a target made for the restore is removed again").doesNotExist();
        Files.createDirectories(restored);
        assertThatThrownBy(() -> repo.restore(m, restored, false)).isInstanceOf(ArcaException.class);
        assertThat(FileTrees.names(restored)).isEmpty();
        assertThat(repo.verify(m)).singleElement().asString().contains("files/secrets.tar.zst");
    }

    @Test
    void aManifestWhoseListDiffersFromTheTarIsCaughtByVerifyAndRestore() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        editEntry(repo, m, "secrets/tls/server.crt", e -> e.put("sha256", "0".repeat(64)));
        editEntry(repo, m, "secrets/db.env", e -> e.put("mode", "0644"));
        BackupManifest edited = repo.reread(m);

        assertThat(repo.verify(edited)).containsExactly(
                "'" + app.resolve("secrets") + "' (files/secrets.tar): entry 'secrets/db.env' has mode 0600 in the tar,"
                        + " 0644 in the manifest",
                "'" + app.resolve("secrets") + "' (files/secrets.tar): entry 'secrets/tls/server.crt' has other content"
                        + " than the manifest's sha-256");
        Path restored = dir.resolve("restored");
        assertThatThrownBy(() -> repo.restore(edited, restored, false)).isInstanceOfSatisfying(ArcaException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
                    assertThat(e.getMessage()).endsWith("does not match its manifest: entry 'secrets/db.env' has mode"
                            + " 0600 in the tar, 0644 in the manifest");
                });
        assertThat(restored).doesNotExist();
    }

    @Test
    void namesThatWouldLeaveTheTargetAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString());
        editEntry(repo, m, "secrets/db.env", e -> e.put("name", "secrets/../../escaped"));
        BackupManifest edited = repo.reread(m);
        Path restored = dir.resolve("restored");

        assertThatThrownBy(() -> repo.restore(edited, restored, true)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.getMessage()).endsWith("is not safe to restore: entry 'secrets/../../escaped' has a"
                        + " name that is not safe to restore"));
        assertThat(restored).doesNotExist();
        assertThat(dir.resolve("escaped")).doesNotExist();
        assertThat(repo.verify(edited)).first().asString().contains("entry 'secrets/../../escaped' has a name that is not"
                + " safe to restore");
    }

    @Test
    void filesThatVanishShrinkOrGrowWhileReadGiveASoundTarAndANote() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        TreeArchiver.Interference interference = new TreeArchiver.Interference() {
            @Override
            public void beforeOpen(Path file) throws IOException {
                if (file.endsWith("db.env")) {
                    Files.delete(file);
                }
            }

            @Override
            public void afterSize(Path file) throws IOException {
                if (file.endsWith("api.key")) {
                    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        c.truncate(1000);
                    }
                } else if (file.endsWith("server.crt")) {
                    Files.writeString(file, "more and more\n", StandardOpenOption.APPEND);
                }
            }
        };

        BackupManifest m = repo.backup(new FilesSource(interference), FilesRepo.options(FilesSource.FILES,
                app.resolve("secrets").toString()));

        FilesDetails details = m.sections().get(0).details(FilesDetails.class);
        assertThat(details.notes()).contains("'secrets/db.env' vanished before it was read; left out",
                "'secrets/api.key' shrank while it was read: stored its first 1000 bytes, padded with zeros to the"
                        + " 70000 bytes it had when opened",
                "'secrets/tls/server.crt' grew while it was read: stored the 28 bytes it had when opened");
        assertThat(details.entries()).extracting(FilesDetails.Entry::name).doesNotContain("secrets/db.env");
        assertThat(repo.verify(m)).isEmpty();
        Path restored = dir.resolve("restored");
        repo.restore(m, restored, false);
        byte[] key = Files.readAllBytes(restored.resolve("secrets/api.key"));
        assertThat(key).hasSize(70_000);
        assertThat(key[999]).isEqualTo((byte) 'k');
        assertThat(key[1000]).isZero();
        assertThat(restored.resolve("secrets/tls/server.crt")).hasContent("-----BEGIN CERTIFICATE-----");
        // and GNU tar reads the whole of it
        Path stored = storedFile(repo, m, "files/secrets.tar.zst");
        assertThat(shell("zstd -dc '" + stored + "' | tar -tvf - | wc -l").strip())
                .isEqualTo(Integer.toString(details.entries().size()));
    }

    @Test
    void aNamedLinkIsStoredAsALinkWithANote() throws Exception {
        Path app = FileTrees.application(dir);
        Path link = Files.createSymbolicLink(app.resolve("current"), app.resolve("secrets"));
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));

        BackupManifest m = repo.backup(link.toString());

        FilesDetails details = m.sections().get(0).details(FilesDetails.class);
        assertThat(details.entries()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("symlink");
            assertThat(e.target()).isEqualTo(app.resolve("secrets").toString());
        });
        assertThat(details.notes()).containsExactly("'" + link + "' is a symbolic link to '" + app.resolve("secrets")
                + "'; stored as a link, its target is not backed up (name the target to back it up)");
        Path restored = dir.resolve("restored");
        repo.restore(m, restored, false);
        assertThat(Files.readSymbolicLink(restored.resolve("current"))).isEqualTo(app.resolve("secrets"));
    }

    @Test
    void badOptionsAreUsageErrorsBeforeAnythingIsWritten() throws Exception {
        Path app = FileTrees.application(dir);
        Files.createDirectories(dir.resolve("other/secrets"));
        FilesSource source = new FilesSource();

        assertThatThrownBy(() -> source.checkBackup(FilesRepo.options("--files", dir.resolve("missing").toString())))
                .isInstanceOf(UsageException.class).hasMessageContaining("no such file or directory");
        assertThatThrownBy(() -> source.checkBackup(FilesRepo.options("--files", "/")))
                .isInstanceOf(UsageException.class).hasMessage("--files '/' names the root directory");
        assertThatThrownBy(() -> source.checkBackup(FilesRepo.options("--files", app.resolve("secrets").toString(),
                dir.resolve("other/secrets").toString()))).isInstanceOf(UsageException.class)
                .hasMessage("--files '" + app.resolve("secrets") + "' and '" + dir.resolve("other/secrets")
                        + "' would both restore as 'secrets'");
        assertThatThrownBy(() -> source.checkBackup(FilesRepo.options("--files", app.resolve("secrets").toString(),
                app.resolve("secrets/").toString()))).isInstanceOf(UsageException.class)
                .hasMessage("--files '" + app.resolve("secrets") + "' is given twice");
        assertThatThrownBy(() -> source.checkRestore(new SourceOptions(Map.of("--files-only", List.of()), Map.of())))
                .isInstanceOf(UsageException.class).hasMessage("--files-only needs --files-to DIR");
        assertThatThrownBy(() -> source.checkRestore(FilesRepo.options("--files-to", app.resolve(".env").toString())))
                .isInstanceOf(UsageException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void theSourceIsFoundThroughItsServiceRegistration() {
        var source = BackupSources.load().find("files").orElseThrow();
        assertThat(source).isInstanceOf(FilesSource.class);
        assertThat(source.backupOptions()).extracting(o -> o.name()).containsExactly("--files");
        assertThat(source.restoreOptions()).extracting(o -> o.name()).containsExactly("--files-to", "--files-only");
        assertThat(source.backupSelected(FilesRepo.options("--files", "x"))).isTrue();
        assertThat(source.restoreSelected(FilesRepo.options("--files-to", "x"))).isTrue();
        assertThat(source.restoreOnly(new SourceOptions(Map.of("--files-only", List.of()), Map.of()))).isTrue();
        assertThat(source.restoreOnly(SourceOptions.NONE)).isFalse();
    }

    /** The stored file of an artifact in a local repository. */
    static Path storedFile(FilesRepo repo, BackupManifest m, String file) throws IOException {
        try (Stream<Path> walk = Files.walk(repo.root.resolve("backups"))) {
            return walk.filter(p -> p.endsWith(Path.of(m.backupId(), file))).findFirst().orElseThrow();
        }
    }

    /** Changes one entry of the files section in the stored manifest. */
    private static void editEntry(FilesRepo repo, BackupManifest m, String name, Consumer<ObjectNode> change)
            throws IOException {
        Path manifest = storedFile(repo, m, "manifest.json");
        ObjectNode json = (ObjectNode) RepositoryJson.mapper().readTree(manifest.toFile());
        boolean found = false;
        for (var section : json.withArray("sections")) {
            for (var entry : section.get("details").withArray("entries")) {
                if (entry.get("name").asText().equals(name)) {
                    change.accept((ObjectNode) entry);
                    found = true;
                }
            }
        }
        assertThat(found).as("entry %s in the manifest", name).isTrue();
        Files.write(manifest, RepositoryJson.write(json));
    }

    /** Runs a shell command; fails with its output when it fails. */
    static String shell(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed (zstd and tar must be installed):%n%s", command, out).isZero();
        return out;
    }
}
