package io.arca.app.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The whole of {@code arca.yaml}. Secrets never appear in it as values: a field that names one
 * says where to read it ({@code ...File} or {@code ...Env}).
 *
 * @param repositories named repositories ({@code main: {url: s3://bucket/prod}})
 * @param subjects named subjects: what is backed up, where, when, and against which objectives
 * @param notifications where failures, recoveries and missed objectives are sent
 * @param server the server's HTTP, concurrency and scheduling settings
 * @param runs how long run records are kept
 */
public record ArcaConfig(Map<String, RepositoryEntry> repositories, Map<String, SubjectEntry> subjects,
        List<Notification> notifications, Server server, Runs runs) {

    /**
     * A repository.
     *
     * @param url the storage URL ({@code s3://bucket/prefix}, {@code /backups}, ...)
     * @param encryptTo public key files the backups are encrypted to (OpenPGP)
     * @param passphraseFile a file holding the passphrase (symmetric encryption), or null
     * @param passphraseEnv an environment variable holding it, or null
     * @param privateKeyFile the private key for verify and drill (decryption), or null
     * @param privateKeyPassphraseEnv the environment variable holding the private key's passphrase, or null
     */
    public record RepositoryEntry(String url, List<String> encryptTo, String passphraseFile, String passphraseEnv,
            String privateKeyFile, String privateKeyPassphraseEnv) {
    }

    /**
     * A subject: one application's database and what belongs with it.
     *
     * @param repositories the names of the repositories its backups go to (the first one primary, the
     *     others get copies)
     * @param database the PostgreSQL connection URL (the password from {@code PGPASSWORD}, a
     *     {@code .pgpass} or {@code passwordEnv})
     * @param passwordEnv an environment variable holding the database password, or null
     * @param sources further sources by their option names without dashes ({@code k8s-namespace: app},
     *     {@code files: [/srv/app/.env]}, {@code qdrant-url: ...}), as {@code arca backup} takes them
     * @param backup logical backup options
     * @param schedules when each job runs
     * @param objectives RPO, RTO and drill-within
     * @param retention what prune keeps
     * @param drill how drills run
     */
    public record SubjectEntry(List<String> repositories, String database, String passwordEnv,
            Map<String, Object> sources, Backup backup, Schedules schedules, Objectives objectives,
            Retention retention, Drill drill) {
    }

    /**
     * Backup options of a subject.
     *
     * @param format pg_dump format ({@code custom}, {@code directory}, {@code plain})
     * @param jobs parallel pg_dump workers (directory format)
     * @param globals also back up roles and tablespaces
     * @param compression {@code zstd}, {@code gzip:6}, ...
     * @param labels labels recorded in each manifest
     */
    public record Backup(String format, Integer jobs, Boolean globals, String compression,
            Map<String, String> labels) {
    }

    /**
     * Cron expressions (five fields, Unix syntax) in {@code timezone}, one per job; a job without
     * one does not run on a schedule. {@code walReceive: true} keeps WAL streaming running.
     */
    public record Schedules(String timezone, String backup, String physicalBackup, String verify, String drill,
            String prune, Boolean walReceive) {
    }

    /** Recovery objectives: durations ({@code 36h}, {@code 4h}, {@code 7d}) or {@code none}. */
    public record Objectives(String rpo, String rto, String drillWithin) {
    }

    /** Retention, as {@code arca prune} takes it. */
    public record Retention(Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly,
            String keepWithin) {
    }

    /**
     * Drill settings.
     *
     * @param server a scratch server's URL, or null for a throwaway cluster started by Arca
     * @param checks SQL checks that must return true
     */
    public record Drill(String server, List<String> checks) {
    }

    /**
     * One notification channel.
     *
     * @param type {@code webhook}, {@code slack} or {@code email}
     * @param url the webhook's or Slack incoming webhook's URL
     * @param urlEnv an environment variable holding the URL instead (Slack URLs are secrets)
     * @param secretEnv webhook: the environment variable holding the HMAC key
     * @param secretFile webhook: the file holding it
     * @param on which events: {@code failure}, {@code recovery}, {@code objective}; all when empty
     * @param smtp email: the server
     * @param from email: the sender
     * @param to email: the recipients
     */
    public record Notification(String type, String url, String urlEnv, String secretEnv, String secretFile,
            List<String> on, Smtp smtp, String from, List<String> to) {
    }

    /**
     * An SMTP server.
     *
     * @param host its host
     * @param port its port (587 by default)
     * @param starttls {@code required} (default), {@code optional} or {@code off}
     * @param username the login, or null for none
     * @param passwordEnv the environment variable holding the password
     * @param passwordFile the file holding it
     */
    public record Smtp(String host, Integer port, String starttls, String username, String passwordEnv,
            String passwordFile) {
    }

    /**
     * The server.
     *
     * @param listen {@code host:port} (default {@code 127.0.0.1:9187})
     * @param tokens where the API's bearer tokens are read from
     * @param tls the server's certificate, or null for plain HTTP
     * @param concurrency how many jobs run at once (default 2)
     * @param jitter a random delay of up to this long before each scheduled run ({@code 30s})
     * @param missedRuns {@code once}: a run missed while the server was down runs once at start;
     *     {@code skip}: it does not
     * @param shutdown {@code finish} (default): let running jobs end (up to {@code shutdownGrace});
     *     {@code abort}: stop them cleanly at once
     * @param shutdownGrace how long a shutdown waits for running jobs ({@code 10m})
     * @param leaderElection a Kubernetes Lease, for more than one replica
     */
    public record Server(String listen, Tokens tokens, Tls tls, Integer concurrency, String jitter,
            String missedRuns, String shutdown, String shutdownGrace, LeaderElection leaderElection) {
    }

    /**
     * Bearer tokens: files or environment variables, one token per line in a file.
     *
     * @param readFile tokens that may read
     * @param readEnv the same, from an environment variable
     * @param operatorFile tokens that may also trigger runs
     * @param operatorEnv the same, from an environment variable
     */
    public record Tokens(String readFile, String readEnv, String operatorFile, String operatorEnv) {
    }

    /**
     * TLS for the server.
     *
     * @param keystore a PKCS#12 file with the certificate and its key
     * @param passwordEnv the environment variable holding its password
     */
    public record Tls(String keystore, String passwordEnv) {
    }

    /**
     * A Kubernetes Lease held by the replica that schedules.
     *
     * @param enabled on when true
     * @param namespace the Lease's namespace (default: the pod's)
     * @param name the Lease's name (default {@code arca-server})
     */
    public record LeaderElection(Boolean enabled, String namespace, String name) {
    }

    /** How long run records are kept ({@code 90d} by default); prune deletes older ones. */
    public record Runs(@JsonProperty("keep") String keep) {
    }
}
