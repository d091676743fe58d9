package io.arca.postgres.physical;

import io.arca.core.error.UsageException;
import io.arca.postgres.wal.Lsn;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Where point-in-time recovery stops, as PostgreSQL's {@code recovery_target*} settings say it.
 *
 * @param kind which setting
 * @param value its value as PostgreSQL reads it (a time is written in UTC with an offset)
 * @param time the instant, for {@link Kind#TIME}
 * @param lsn the position, for {@link Kind#LSN}
 */
public record RecoveryTarget(Kind kind, String value, Instant time, Lsn lsn) {

    /** The recovery target settings PostgreSQL knows, plus {@link #LATEST}: replay everything archived. */
    public enum Kind {
        LATEST(null), TIME("recovery_target_time"), LSN("recovery_target_lsn"), XID("recovery_target_xid"),
        NAME("recovery_target_name"), IMMEDIATE("recovery_target");

        private final String setting;

        Kind(String setting) {
            this.setting = setting;
        }

        /** The postgresql.conf setting, or null for LATEST. */
        public String setting() {
            return setting;
        }
    }

    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    public static RecoveryTarget latest() {
        return new RecoveryTarget(Kind.LATEST, null, null, null);
    }

    public static RecoveryTarget immediate() {
        return new RecoveryTarget(Kind.IMMEDIATE, "immediate", null, null);
    }

    public static RecoveryTarget time(Instant t) {
        return new RecoveryTarget(Kind.TIME, PG_TIME.format(t.atOffset(java.time.ZoneOffset.UTC)), t, null);
    }

    public static RecoveryTarget lsn(Lsn lsn) {
        return new RecoveryTarget(Kind.LSN, lsn.toString(), null, lsn);
    }

    public static RecoveryTarget xid(String xid) {
        if (!xid.matches("[0-9]+")) {
            throw new UsageException("invalid --target-xid '" + xid + "': a transaction id is a number");
        }
        return new RecoveryTarget(Kind.XID, xid, null, null);
    }

    public static RecoveryTarget name(String name) {
        if (name.isBlank()) {
            throw new UsageException("--target-name needs the name given to pg_create_restore_point()");
        }
        return new RecoveryTarget(Kind.NAME, name, null, null);
    }

    /**
     * Parses a time as users write it: ISO-8601 with an offset or {@code Z}
     * ({@code 2026-01-24T10:30:00Z}), or {@code 2026-01-24 10:30:00[.ffffff][+02:00]}; without an
     * offset the time is in {@code zone}.
     */
    public static Instant parseTime(String text, ZoneId zone) {
        String t = text.trim().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // no offset (or a short one such as +02)
        }
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSSSSS][.SSS]X")).toInstant();
        } catch (DateTimeParseException e) {
            // no offset
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException("invalid --target-time '" + text
                    + "': use ISO-8601, e.g. 2026-01-24T10:30:00Z or '2026-01-24 10:30:00+02:00'");
        }
    }

    /** What a person reads: {@code time 2026-01-24 10:30:00.000000+00:00}. */
    public String describe() {
        return switch (kind) {
            case LATEST -> "the end of the archived WAL";
            case IMMEDIATE -> "the end of the backup (consistency)";
            default -> kind.name().toLowerCase(Locale.ROOT) + " " + value;
        };
    }
}
