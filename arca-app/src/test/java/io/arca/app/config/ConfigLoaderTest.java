package io.arca.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import io.arca.core.source.SourceOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    // the options of the sources arca-cli puts on the class path, as far as these tests use them
    static final List<SourceOption> SOURCES = List.of(
            SourceOption.values("--k8s-namespace", "NS", "namespace"),
            SourceOption.values("--files", "PATH", "files"),
            SourceOption.value("--qdrant", "URL", "qdrant"),
            SourceOption.flag("--qdrant-all", "all collections"));

    static final String FULL = """
            repositories:
              main:
                url: s3://acme-backups/prod
                encryptTo: [/etc/arca/keys/backup.pub.asc]
                privateKeyFile: /etc/arca/keys/backup.key.asc
                privateKeyPassphraseEnv: ARCA_KEY_PASSPHRASE
              offsite:
                url: gs://acme-offsite/prod
                passphraseEnv: ARCA_OFFSITE_PASSPHRASE
            subjects:
              app:
                repositories: [main, offsite]
                database: postgresql://arca@db.internal:5432/app
                passwordEnv: APP_DB_PASSWORD
                sources:
                  k8s-namespace: [app]
                  files: [/srv/app/.env]
                  qdrant: http://qdrant:6333
                  qdrant-all: true
                backup:
                  format: directory
                  jobs: 4
                  globals: true
                  compression: zstd:6
                  labels: {team: payments}
                schedules:
                  timezone: Europe/Berlin
                  backup: "0 2 * * *"
                  physicalBackup: "0 3 * * SUN"
                  verify: "30 6 * * *"
                  drill: "0 4 * * SAT"
                  prune: "0 5 * * *"
                  walReceive: true
                objectives: {rpo: 36h, rto: 4h, drillWithin: 7d}
                retention: {keepLast: 7, keepDaily: 14, keepWeekly: 8, keepMonthly: 12, keepWithin: 2d}
                drill:
                  server: postgresql://arca@scratch:5432/postgres
                  checks: [select count(*) > 0 from orders]
              files-only:
                repositories: [main]
                sources: {files: [/srv/uploads]}
            notifications:
              - type: webhook
                url: https://hooks.example.com/arca
                secretFile: /etc/arca/webhook.key
                on: [failure, recovery]
              - type: slack
                urlEnv: ARCA_SLACK_URL
              - type: email
                smtp: {host: smtp.example.com, port: 587, starttls: 'off', username: arca, passwordFile: /etc/arca/smtp}
                from: Arca <arca@example.com>
                to: [oncall@example.com]
            server:
              listen: 0.0.0.0:9187
              tokens: {readFile: /etc/arca/tokens/read, operatorEnv: ARCA_OPERATOR_TOKENS}
              tls: {keystore: /etc/arca/tls.p12, passwordEnv: ARCA_TLS_PASSWORD}
              concurrency: 3
              jitter: 30s
              missedRuns: skip
              shutdown: abort
              shutdownGrace: 10m
              leaderElection: {enabled: true, namespace: backups, name: arca}
            runs:
              keep: 90d
            """;

    static final String SMALL = """
            repositories:
              main: {url: /srv/backups}
            subjects:
              app:
                repositories: [main]
                database: postgresql://app@db/app
            """;

    final ConfigLoader loader = new ConfigLoader(Map.of(), SOURCES);

    @Test
    void aFullFileLoadsIntoTheRecords() {
        ArcaConfig c = loader.load(FULL, "arca.yaml", List.of());

        assertThat(c.repositories()).containsOnlyKeys("main", "offsite");
        assertThat(c.repositories().get("main").encryptTo()).containsExactly("/etc/arca/keys/backup.pub.asc");
        ArcaConfig.SubjectEntry app = c.subjects().get("app");
        assertThat(app.repositories()).containsExactly("main", "offsite");
        assertThat(app.sources()).containsEntry("k8s-namespace", List.of("app")).containsEntry("qdrant-all", true);
        assertThat(app.backup().jobs()).isEqualTo(4);
        assertThat(app.backup().labels()).containsEntry("team", "payments");
        assertThat(app.schedules().physicalBackup()).isEqualTo("0 3 * * SUN");
        assertThat(app.schedules().walReceive()).isTrue();
        assertThat(app.objectives().drillWithin()).isEqualTo("7d");
        assertThat(app.retention().keepMonthly()).isEqualTo(12);
        assertThat(app.drill().checks()).containsExactly("select count(*) > 0 from orders");
        assertThat(c.notifications()).extracting(ArcaConfig.Notification::type).containsExactly("webhook", "slack", "email");
        assertThat(c.notifications().get(2).smtp().starttls()).isEqualTo("off");
        assertThat(c.server().leaderElection().enabled()).isTrue();
        assertThat(c.server().tls().keystore()).isEqualTo("/etc/arca/tls.p12");
        assertThat(c.runs().keep()).isEqualTo("90d");
        // subjects keep the file's order: summaries and schedules list them as written
        assertThat(c.subjects().keySet()).containsExactly("app", "files-only");
    }

    @Test
    void theSummaryListsJobsWithTheirNextRunsInTheirZone() {
        ArcaConfig c = loader.load(FULL, "arca.yaml", List.of());
        ConfigSummary s = ConfigSummary.of("arca.yaml", c, Instant.parse("2026-03-28T12:00:00Z"));

        assertThat(s.schedules()).extracting(ConfigSummary.Scheduled::job)
                .containsExactly("backup", "physical-backup", "verify", "drill", "prune");
        ConfigSummary.Scheduled backup = s.schedules().get(0);
        // the night the clocks go forward in Berlin: 02:00 does not exist, it runs at 03:00
        assertThat(backup.next()).extracting(Object::toString)
                .containsExactly("2026-03-29T03:00+02:00", "2026-03-30T02:00+02:00");
        assertThat(s.notifications()).containsExactly(Map.entry("email", 1), Map.entry("slack", 1), Map.entry("webhook", 1));
        assertThat(s.listen()).isEqualTo("0.0.0.0:9187");
        assertThat(s.concurrency()).isEqualTo(3);
        assertThat(s.subjects().get(0).walReceive()).isTrue();

        ConfigSummary small = ConfigSummary.of("a.yaml", loader.load(SMALL, "a.yaml", List.of()), Instant.EPOCH);
        assertThat(small.listen()).isEqualTo("127.0.0.1:9187");
        assertThat(small.concurrency()).isEqualTo(ConfigSummary.DEFAULT_CONCURRENCY);
        assertThat(small.schedules()).isEmpty();
    }

    @Test
    void flagsWinOverTheEnvironmentWhichWinsOverTheFile() {
        String file = SMALL + "server: {listen: 127.0.0.1:7000, concurrency: 1}\n";
        assertThat(loader.load(file, "f", List.of()).server().listen()).isEqualTo("127.0.0.1:7000");

        ConfigLoader withEnv = new ConfigLoader(Map.of("ARCA_LISTEN", "0.0.0.0:8000", "ARCA_CONCURRENCY", "4"), SOURCES);
        ArcaConfig fromEnv = withEnv.load(file, "f", List.of());
        assertThat(fromEnv.server().listen()).isEqualTo("0.0.0.0:8000");
        assertThat(fromEnv.server().concurrency()).isEqualTo(4);

        ArcaConfig fromFlag = withEnv.load(file, "f", List.of(new ConfigLoader.Override("server.listen", "10.0.0.1:9000", "flag --listen")));
        assertThat(fromFlag.server().listen()).isEqualTo("10.0.0.1:9000");
        assertThat(fromFlag.server().concurrency()).isEqualTo(4);

        // a file without a server section gets one from the environment
        assertThat(withEnv.load(SMALL, "f", List.of()).server().concurrency()).isEqualTo(4);
    }

    @Test
    void aBadOverrideNamesItsVariableOrFlag() {
        ConfigLoader withEnv = new ConfigLoader(Map.of("ARCA_CONCURRENCY", "many"), SOURCES);
        assertThat(errors(withEnv, SMALL)).containsExactly(
                "env ARCA_CONCURRENCY: server.concurrency: must be a whole number, not 'many'");
        assertThat(errors(loader, SMALL, new ConfigLoader.Override("server.listen", "nowhere", "flag --listen")))
                .containsExactly("flag --listen: server.listen: invalid listen address 'nowhere': use HOST:PORT, e.g."
                        + " 127.0.0.1:9187, 0.0.0.0:9187 or [::1]:9187");
    }

    @Test
    void theFileComesFromTheArgumentThenArcaConfigThenTheWorkingDirectory() {
        assertThat(ConfigLoader.file(Path.of("x.yaml"), Map.of("ARCA_CONFIG", "/etc/arca/arca.yaml"))).isEqualTo(Path.of("x.yaml"));
        assertThat(ConfigLoader.file(null, Map.of("ARCA_CONFIG", "/etc/arca/arca.yaml"))).isEqualTo(Path.of("/etc/arca/arca.yaml"));
        assertThat(ConfigLoader.file(null, Map.of())).isEqualTo(Path.of("arca.yaml"));
    }

    @Test
    void aTypoInAKeyIsAnErrorThatNamesTheKeyMeant() {
        String file = SMALL + """
                    schedules:
                      bakup: "0 2 * * *"
                    retention:
                      keep_last: 3
                """;
        assertThat(errors(loader, file)).containsExactly(
                "arca.yaml:8:7: subjects.app.schedules.bakup: unknown key 'bakup'; did you mean 'backup'?",
                "arca.yaml:10:7: subjects.app.retention.keep_last: unknown key 'keep_last'; did you mean 'keepLast'?");
        assertThat(errors(loader, SMALL + "colour: blue\n")).containsExactly(
                "arca.yaml:7:1: colour: unknown key 'colour'; known keys here: repositories, subjects, notifications, server, runs");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        // what is wrong | a line appended to SMALL's subject 'app' (line 7) | the error
        "a cron expression|    schedules: {backup: '0 2 * *'}|arca.yaml:7:25: subjects.app.schedules.backup: invalid cron expression '0 2 * *': 4 fields, expected 5 (minute hour day-of-month month day-of-week)",
        "a time zone|    schedules: {timezone: Mars/Olympus, backup: '0 2 * * *'}|arca.yaml:7:27: subjects.app.schedules.timezone: unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin or UTC",
        "a duration|    objectives: {rpo: 1 day}|arca.yaml:7:23: subjects.app.objectives.rpo: '1 day' is not a duration or none: use e.g. 36h, 4h, 7d, or none",
        "a duration out of order|    retention: {keepWithin: 3h1d}|arca.yaml:7:29: subjects.app.retention.keepWithin: invalid duration '3h1d': use e.g. 36h, 7d, 2w, 1y",
        "a type|    backup: {jobs: two}|arca.yaml:7:20: subjects.app.backup.jobs: must be a whole number, not 'two'",
        "an enum|    backup: {format: tar}|arca.yaml:7:22: subjects.app.backup.format: must be one of custom, directory, plain, not 'tar'",
        "a minimum|    retention: {keepLast: -1}|arca.yaml:7:27: subjects.app.retention.keepLast: must be at least 0, not -1",
        "jobs without directory|    backup: {jobs: 4}|arca.yaml:7:20: subjects.app.backup.jobs: jobs above 1 need format: directory (pg_dump dumps in parallel only then)",
        "a label key|    backup: {labels: {'bad key': x}}|arca.yaml:7:14: subjects.app.backup.labels: invalid label 'bad key=x': the key must be 1 to 63 characters",
        "the subject label|    backup: {labels: {subject: x}}|arca.yaml:7:23: subjects.app.backup.labels.subject: the label 'subject' is set from the subject's name; leave it out",
        "an unknown source|    sources: {k8s-namespaces: [app]}|arca.yaml:7:15: subjects.app.sources.k8s-namespaces: unknown source option 'k8s-namespaces'; known: k8s-namespace, files, qdrant, qdrant-all",
        "a flag with a value|    sources: {qdrant-all: yes please}|arca.yaml:7:27: subjects.app.sources.qdrant-all: 'qdrant-all' is a flag: true or false",
        "a list for one value|    sources: {qdrant: [a, b]}|arca.yaml:7:15: subjects.app.sources.qdrant: 'qdrant' takes one value (URL), not a list",
        "an env name|    passwordEnv: APP-PASSWORD|arca.yaml:7:18: subjects.app.passwordEnv: 'APP-PASSWORD' is not an environment variable name (letters, digits and '_', not starting with a digit)",
        "an empty string|    drill: {checks: ['']}|arca.yaml:7:22: subjects.app.drill.checks[0]: must not be empty",
        "a list for a mapping|    backup: [custom]|arca.yaml:7:5: subjects.app.backup: must be a mapping, not a list",
    })
    void eachKindOfMistakeIsNamedWithItsLine(String what, String line, String error) {
        assertThat(errors(loader, SMALL + line + "\n")).as(what).containsExactly(error);
    }

    @Test
    void referencesAndSecretsAreChecked() {
        String file = """
                repositories:
                  main: {url: /srv/backups}
                subjects:
                  app:
                    repositories: [main, mian]
                    database: postgresql://app:hunter2@db/app
                    drill: {server: 'postgresql://x@scratch/postgres?password=p'}
                  nothing:
                    repositories: [main]
                """;
        assertThat(errors(loader, file)).containsExactly(
                "arca.yaml:5:26: subjects.app.repositories[1]: no repository named 'mian'; repositories: main",
                "arca.yaml:6:15: subjects.app.database: the URL holds a password: leave it out and give it through"
                        + " passwordEnv, PGPASSWORD or ~/.pgpass (secrets never go into arca.yaml)",
                "arca.yaml:7:21: subjects.app.drill.server: the URL holds a password: leave it out and give it through"
                        + " a password file or PGPASSWORD (secrets never go into arca.yaml)",
                "arca.yaml:8:3: subjects.nothing: nothing to back up: give a database, sources, or both");
    }

    @Test
    void notificationsNeedWhatTheirTypeUses() {
        String file = SMALL + """
                notifications:
                  - type: webhook
                  - type: slack
                    url: ftp://example.com/x
                    secretEnv: S
                  - type: email
                    smtp: {host: smtp.example.com, starttls: off, username: u}
                    to: [nobody]
                  - type: webhook
                    url: https://example.com
                    urlEnv: HOOK_URL
                  - type: pager
                """;
        assertThat(errors(loader, file)).containsExactly(
                "arca.yaml:8:5: notifications[0].url: webhook needs url or urlEnv",
                "arca.yaml:10:10: notifications[1].url: 'ftp://example.com/x' is not an http or https URL",
                "arca.yaml:11:5: notifications[1].secretEnv: 'secretEnv' does not apply to slack notifications (they take url, urlEnv, on)",
                "arca.yaml:12:5: notifications[2].from: email needs from",
                "arca.yaml:13:46: notifications[2].smtp.starttls: must be one of required, optional, off, not false (yaml reads"
                        + " unquoted yes, no, on and off as true or false: quote the word, 'off')",
                "arca.yaml:13:61: notifications[2].smtp.username: a username needs passwordEnv or passwordFile",
                "arca.yaml:14:10: notifications[2].to[0]: 'nobody' is not an email address (user@example.com or Name <user@example.com>)",
                "arca.yaml:17:5: notifications[3].urlEnv: give url or urlEnv, not both",
                "arca.yaml:18:11: notifications[4].type: must be one of webhook, slack, email, not 'pager'");
    }

    @Test
    void serverSettingsAreChecked() {
        String file = SMALL + """
                server:
                  listen: localhost
                  concurrency: 0
                  jitter: 30sec
                  missedRuns: always
                  tls: {passwordEnv: TLS}
                runs: {keep: forever}
                """;
        assertThat(errors(loader, file)).containsExactly(
                "arca.yaml:8:11: server.listen: invalid listen address 'localhost': use HOST:PORT, e.g. 127.0.0.1:9187,"
                        + " 0.0.0.0:9187 or [::1]:9187",
                "arca.yaml:9:16: server.concurrency: must be at least 1, not 0",
                "arca.yaml:10:11: server.jitter: '30sec' is not a duration: use e.g. 90s, 36h, 7d, 2w, 1y or 1d12h (units"
                        + " s m h d w y, largest first)",
                "arca.yaml:11:15: server.missedRuns: must be one of once, skip, not 'always'",
                "arca.yaml:12:3: server.tls.keystore: required, but missing",
                "arca.yaml:13:14: runs.keep: 'forever' is not a duration: use e.g. 90s, 36h, 7d, 2w, 1y or 1d12h (units"
                        + " s m h d w y, largest first)");
    }

    @Test
    void everyErrorIsReportedAtOnceInFileOrder() {
        String file = """
                repositories:
                  main: {}
                  "bad name": {url: /x}
                subjects:
                  app:
                    repositories: [other]
                    database: mysql://db/app
                    schedules: {prune: "61 * * * *"}
                """;
        ConfigException e = catchConfig(loader, file);
        assertThat(e).isInstanceOf(UsageException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
        assertThat(e.code().exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("""
                invalid configuration 'arca.yaml': 5 errors
                arca.yaml:2:3: repositories.main.url: required, but missing
                arca.yaml:3:3: repositories["bad name"]: 'bad name' is not a valid name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit
                arca.yaml:6:20: subjects.app.repositories[0]: no repository named 'other'; repositories: main, bad name
                arca.yaml:7:15: subjects.app.database: invalid PostgreSQL URL 'mysql://db/app'
                arca.yaml:8:24: subjects.app.schedules.prune: invalid cron expression '61 * * * *': value 61 not in range [0, 59]""");
        assertThat(e.hint()).isEqualTo("fix the lines above; 'arca config check arca.yaml' checks the file again");
        assertThat(e.errors()).hasSize(5).first().satisfies(first -> {
            assertThat(first.line()).isEqualTo(2);
            assertThat(first.column()).isEqualTo(3);
            assertThat(first.path()).isEqualTo("repositories.main.url");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not yaml|repositories: [a|arca.yaml:1:17: while parsing a flow sequence: expected ',' or ']', but got <stream end>",
        "a duplicate key|repositories: {}\\nrepositories: {}|arca.yaml:2:13: duplicate field 'repositories'",
        "an alias|a: &x 1\\nb: *x|arca.yaml:2:4: yaml aliases (*x) are not supported: write the value out (a value that starts with * must be quoted: '*/15 * * * *')",
        "an unquoted star|s: */5 * * * *|arca.yaml:1:5: while scanning an alias: unexpected character found /(47) (a value that starts with * is a yaml alias: quote it, '*/15 * * * *')",
        "tabs|a:\\n\\tb: 1|arca.yaml:2:1: a tab character: yaml is indented with spaces, not tabs",
        "an empty file|# nothing yet|arca.yaml:1:1: the file is empty: it needs repositories and subjects (see docs/configuration.md)",
        "a list|- a\\n- b|arca.yaml:1:1: must be a mapping, not a list",
    })
    void yamlProblemsAreNamedWithTheirLine(String what, String text, String error) {
        String yaml = text.replace("\\n", "\n").replace("\\t", "\t");
        assertThat(errors(loader, yaml)).as(what).containsExactly(error);
    }

    @Test
    void aMissingFileIsAUsageErrorAndAFileIsReadByPath(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> loader.load(dir.resolve("none.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration file '" + dir.resolve("none.yaml") + "' not found");
        Path file = Files.writeString(dir.resolve("arca.yaml"), SMALL);
        assertThat(loader.load(file).subjects()).containsOnlyKeys("app");
        Files.writeString(file, SMALL + "runs: {keep: 1 year}\n");
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ":7:14: runs.keep: '1 year' is not a duration");
    }

    @Test
    void jobSchedulesAreReadFromTheSubjects() {
        ArcaConfig c = loader.load(FULL, "arca.yaml", List.of());
        List<JobSchedule> jobs = JobSchedule.of(c);
        assertThat(jobs).extracting(j -> j.subject() + " " + j.job().jobName() + " " + j.schedule())
                .containsExactly("app backup 0 2 * * * (Europe/Berlin)", "app physical-backup 0 3 * * SUN (Europe/Berlin)",
                        "app verify 30 6 * * * (Europe/Berlin)", "app drill 0 4 * * SAT (Europe/Berlin)",
                        "app prune 0 5 * * * (Europe/Berlin)");
    }

    static List<String> errors(ConfigLoader loader, String yaml, ConfigLoader.Override... flags) {
        return catchConfig(loader, yaml, flags).errors().stream().map(ConfigError::toString).toList();
    }

    static ConfigException catchConfig(ConfigLoader loader, String yaml, ConfigLoader.Override... flags) {
        try {
            loader.load(yaml, "arca.yaml", List.of(flags));
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("loaded without errors:\n" + yaml);
    }
}
