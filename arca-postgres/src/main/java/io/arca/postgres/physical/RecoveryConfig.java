package io.arca.postgres.physical;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Writes what makes PostgreSQL 12+ recover a restored data directory: the recovery settings
 * appended to {@code postgresql.auto.conf} (later lines win, so the backup's own settings stay
 * for the user to read), and an empty {@code recovery.signal} (archive recovery, then promotion or
 * what {@code recovery_target_action} says). A {@code standby.signal} from the backup is removed.
 *
 * <p>Unless told to keep archiving (a real failover), it also writes {@code archive_mode = off}:
 * the backup carries the source's {@code archive_command}, and a copy restored for a test would
 * otherwise archive its new timeline's history and WAL into the source's archive, where a later
 * recovery of the source could follow it.
 */
final class RecoveryConfig {
    static final String AUTO_CONF = "postgresql.auto.conf";
    static final String RECOVERY_SIGNAL = "recovery.signal";

    private RecoveryConfig() {
    }

    static void write(Path pgdata, String backupId, String restoreCommand, RecoveryTarget target, String timeline,
            String action, boolean archive, Instant now) throws IOException {
        StringBuilder conf = new StringBuilder();
        conf.append("\n# Recovery settings written by 'arca restore --physical ").append(backupId).append("' at ")
                .append(now).append("\n");
        conf.append("restore_command = ").append(quote(restoreCommand)).append('\n');
        conf.append("recovery_target_timeline = ").append(quote(timeline)).append('\n');
        if (target.kind().setting() != null) {
            conf.append(target.kind().setting()).append(" = ").append(quote(target.value())).append('\n');
            if (target.kind() == RecoveryTarget.Kind.TIME || target.kind() == RecoveryTarget.Kind.LSN) {
                // stop just before the target: exactly what was committed before it
                conf.append("recovery_target_inclusive = 'off'\n");
            } else if (target.kind() == RecoveryTarget.Kind.XID) {
                // the named transaction is included, as PostgreSQL does by default
                conf.append("recovery_target_inclusive = 'on'\n");
            }
            conf.append("recovery_target_action = ").append(quote(action)).append('\n');
        }
        if (!archive) {
            conf.append("# a restored copy never archives into the source's WAL archive; restore with --archive to keep archiving\n");
            conf.append("archive_mode = 'off'\n");
        }
        Path auto = pgdata.resolve(AUTO_CONF);
        Files.writeString(auto, conf, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.deleteIfExists(pgdata.resolve("standby.signal"));
        Files.write(pgdata.resolve(RECOVERY_SIGNAL), new byte[0]);
    }

    /** A postgresql.conf string literal. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
