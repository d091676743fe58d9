package io.arca.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private temp directories named after their process, and the removal of those killed processes left. */
class TempFilesTest {
    @TempDir
    Path dir;

    @Test
    void aTempDirectoryIsPrivateAndNamedAfterItsProcess() throws Exception {
        Path made = TempFiles.createPrivateDirectory(dir, "arca-dump-");
        assertThat(made.getFileName().toString()).matches("arca-dump-" + ProcessHandle.current().pid() + "-\\d+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).isEqualTo("rwx------");
        TempFiles.deleteAllCreated();
        assertThat(made).doesNotExist();
    }

    @Test
    void theDirectoriesOfGoneProcessesAreRemovedAndTheOthersKept() throws Exception {
        long gone = deadPid();
        long mine = ProcessHandle.current().pid();
        Path dead = Files.createDirectories(dir.resolve("arca-dump-" + gone + "-1").resolve("dump"));
        Files.writeString(dead.resolve("16384.dat"), "customer rows");
        Path deadRestore = Files.createDirectory(dir.resolve("arca-restore-" + gone + "-2"));
        Path live = Files.createDirectory(dir.resolve("arca-list-" + mine + "-3"));
        Path freshLegacy = Files.createDirectory(dir.resolve("arca-dump-42"));
        Path oldLegacy = Files.createDirectory(dir.resolve("arca-dump-43"));
        Files.setLastModifiedTime(oldLegacy, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path other = Files.createDirectory(dir.resolve("arca-pg-" + gone + "-4"));

        assertThat(TempFiles.removeStaleDirectories(dir)).isEqualTo(3);
        assertThat(dead.getParent()).doesNotExist();
        assertThat(deadRestore).doesNotExist();
        assertThat(oldLegacy).doesNotExist();
        assertThat(live).exists();
        assertThat(freshLegacy).exists();
        assertThat(other).as("not a prefix Arca cleans").exists();
    }

    @Test
    void aPidReusedByALaterProcessDoesNotKeepADirectory() throws Exception {
        // this JVM's parent started before the directory changed: it could be its owner
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertThat(TempFiles.processGone(parent, Instant.now())).isFalse();
        // ... but not the owner of a directory last changed before it started
        Instant started = ProcessHandle.current().parent().orElseThrow().info().startInstant().orElseThrow();
        assertThat(TempFiles.processGone(parent, started.minus(Duration.ofHours(1)))).isTrue();
        assertThat(TempFiles.processGone(deadPid(), Instant.now())).isTrue();
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        return pid;
    }
}
