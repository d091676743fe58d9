package io.arca.postgres.archive;

import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.local.ToolProcess;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to run {@code pg_restore} against the restore target. The password travels in the
 * environment ({@link ConnectionSettings#libpqEnvironment()}), never on the command line.
 *
 * @param executable the {@code pg_restore} to run, at least as new as the {@code pg_dump} that
 *     wrote the archive
 * @param target the database to restore into; {@code null} for a command that only lists
 *     archives ({@link ArchiveRestore#list})
 * @param environment more variables for the process, applied after the connection's
 */
public record PgRestoreCommand(Path executable, ConnectionSettings target, Map<String, String> environment) {

    public PgRestoreCommand {
        Objects.requireNonNull(executable, "executable");
        environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    public PgRestoreCommand(Path executable, ConnectionSettings target) {
        this(executable, target, Map.of());
    }

    /** A process builder with the environment set and {@code args}; no connection arguments. */
    ToolProcess.Builder builder(List<String> args) {
        Map<String, String> env = new LinkedHashMap<>(target == null ? Map.of() : target.libpqEnvironment());
        env.putAll(environment);
        return ToolProcess.builder(executable).args(args).environment(env);
    }

    /** The arguments that connect to the target and never prompt for a password. */
    List<String> connectionArgs() {
        return List.of("--dbname=" + requireTarget().libpqConninfo(), "--no-password");
    }

    /** The target; for commands that connect. */
    ConnectionSettings requireTarget() {
        if (target == null) {
            throw new IllegalStateException("this pg_restore command has no target database; it can only list");
        }
        return target;
    }
}
