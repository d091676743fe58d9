package io.arca.files;

import io.arca.testkit.docs.DocBlocks;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.crypto.GpgHome;
import io.arca.core.crypto.TestKeys;
import io.arca.core.repo.BackupManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the by-hand restore commands of {@code docs/repository-format.md} exactly as written, with only
 * {@code zstd}, {@code tar} and {@code gpg}, against backups that Arca took, and compares the
 * result with the original tree and with Arca's own restore.
 */
class FilesByHandIT {
    @TempDir
    Path dir;

    @Test
    void documentedCommandsRestoreTheFiles() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.plain(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString(), app.resolve(".env").toString());

        Path byHand = dir.resolve("by-hand");
        String log = runDocumented("files-by-hand", repo.root, byHand, Map.of());

        assertThat(log).contains("secrets.tar.zst: OK", "env.tar.zst: OK");
        assertSameTree(app, byHand);
        Path byArca = dir.resolve("by-arca");
        repo.restore(m, byArca, false);
        assertSameTree(byArca, byHand);
    }

    @Test
    void documentedCommandsRestoreEncryptedFilesWithGpg() throws Exception {
        Path app = FileTrees.application(dir);
        FilesRepo repo = FilesRepo.encrypted(dir.resolve("repo"));
        BackupManifest m = repo.backup(app.resolve("secrets").toString(), app.resolve(".env").toString());
        assertThat(m.artifacts()).allSatisfy(a -> assertThat(a.file()).endsWith(".tar.zst.gpg"));

        Path byHand = dir.resolve("by-hand");
        try (GpgHome gpg = GpgHome.create()) {
            Path key = dir.resolve("bob.key.asc");
            Files.writeString(key, TestKeys.bob().privateKey());
            gpg.importKey(key, null);
            String log = runDocumented("files-by-hand-encrypted", repo.root, byHand,
                    Map.of("GNUPGHOME", gpg.home().toString()));
            assertThat(log).contains("secrets.tar.zst.gpg: OK", "env.tar.zst.gpg: OK");
        }

        assertSameTree(app, byHand);
        Path byArca = dir.resolve("by-arca");
        repo.restore(m, byArca, false);
        assertSameTree(byArca, byHand);
    }

    private static void assertSameTree(Path expected, Path actual) throws Exception {
        assertThat(FileTrees.snapshot(actual.resolve("secrets"))).isEqualTo(FileTrees.snapshot(expected.resolve("secrets")));
        assertThat(FileTrees.snapshot(actual.resolve(".env"))).isEqualTo(FileTrees.snapshot(expected.resolve(".env")));
    }

    private String runDocumented(String marker, Path repo, Path target, Map<String, String> env) throws Exception {
        Path log = dir.resolve(marker + ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
                DocBlocks.shell(DocBlocks.REPOSITORY_FORMAT, marker))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("REPO", repo.toString());
        pb.environment().put("DIR", target.toString());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("documented commands failed (they need zstd, tar and gpg):%n%s",
                Files.readString(log)).isZero();
        return Files.readString(log);
    }

}
