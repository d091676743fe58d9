package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing archive: the training run prints nothing, reaches no network,
 * loads the cloud SDKs' classes into the archive, and the archive is usable by the jar.
 */
class ClassWarmupIT {
    @TempDir
    Path dir;

    private static Process java(Path out, String... args) throws Exception {
        var command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(java.util.List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    @Test
    void theTrainingRunWritesAnArchiveThatTheJarStartsWith() throws Exception {
        Path jsa = dir.resolve("arca.jsa");
        Path out = dir.resolve("out.txt");
        Process training = java(out, "-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-cp", ArcaProcess.jar().toString(), "io.arca.cli.ClassWarmup");
        assertThat(training.waitFor(60, TimeUnit.SECONDS)).as("training run finishes").isTrue();
        assertThat(training.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).as("the training run prints nothing").isEmpty();
        // the SDKs' classes are in it: an archive of Arca's own classes alone is a few MB
        assertThat(Files.size(jsa)).isGreaterThan(20L << 20);

        // -Xshare:on fails instead of silently ignoring an archive the JVM cannot use
        Process run = java(out, "-XX:SharedArchiveFile=" + jsa, "-Xshare:on", "-jar", ArcaProcess.jar().toString(),
                "--version");
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(out)).isZero();
        assertThat(Files.readString(out)).startsWith("arca ");
    }
}
