package io.arca.image;

import io.arca.core.TempFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * podman on a private storage in a temporary directory, so that tests neither need nor touch the
 * machine's images and containers, with the settings that work on this kind of host (DESIGN §9):
 * the vfs driver, cgroupfs, the runc runtime (crun fails on hybrid cgroups), explicit ulimits, and
 * file events (no journald). {@link #close()} removes every container and image, then the storage.
 */
final class Podman implements AutoCloseable {

    static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final Map<String, String> env;

    Podman() {
        Tools.require(Tools.PODMAN);
        Tools.require(Tools.RUNC);
        try {
            // under /tmp: conmon's socket paths below the run root must stay short
            dir = Files.createTempDirectory(Path.of("/tmp"), "arca-podman-");
            Path conf = dir.resolve("storage.conf");
            Files.writeString(conf, "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + dir.resolve("root")
                    + "\"\nrunroot = \"" + dir.resolve("run") + "\"\n");
            env = Map.of("CONTAINERS_STORAGE_CONF", conf.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code podman ARGS} with the private storage and this host's settings. */
    Command.Result podman(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", dir.resolve("root").toString(), "--runroot",
                dir.resolve("run").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime",
                "runc", "--events-backend", "file", "--tmpdir", dir.resolve("libpod-tmp").toString()));
        cmd.addAll(args);
        return Command.run(cmd, env, TIMEOUT);
    }

    Command.Result podman(String... args) {
        return podman(List.of(args));
    }

    /** {@code podman run --rm} with the ulimits this host needs, then {@code args}. */
    Command.Result run(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--rm"));
        cmd.addAll(ULIMITS);
        cmd.addAll(args);
        return podman(cmd);
    }

    Command.Result run(String... args) {
        return run(List.of(args));
    }

    @Override
    public void close() {
        try {
            podman("rm", "--all", "--force");
            podman("rmi", "--all", "--force");
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        try {
            TempFiles.deleteTree(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the test's podman storage " + root, e);
        }
    }
}
