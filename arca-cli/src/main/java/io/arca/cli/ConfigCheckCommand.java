package io.arca.cli;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigException;
import io.arca.app.config.ConfigLoader;
import io.arca.app.config.ConfigSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca config check [FILE]}: validates a configuration and says what it sets up. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a configuration file: its YAML, its schema (docs/arca.schema.json) and what the schema"
                + " cannot say (repositories that subjects name, durations, cron expressions and time zones, what each"
                + " notification needs, the listen address). Every error is listed as FILE:LINE:COLUMN: PATH: MESSAGE.",
                "Exits 0 and prints the repositories, subjects, each scheduled job with its next "
                        + ConfigSummary.NEXT_RUNS + " runs in its time zone, the notifications and the server's"
                        + " address; exits 2 when the file has errors. ARCA_LISTEN and ARCA_CONCURRENCY override the"
                        + " file, as they do for arca server."})
final class ConfigCheckCommand implements Callable<Integer> {
    private static final DateTimeFormatter RUN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xxx");

    @ParentCommand
    ConfigCommand parent;
    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "FILE", arity = "0..1",
            description = "The file to check (default: ARCA_CONFIG, else ./arca.yaml).")
    Path file;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        Path path = ConfigLoader.file(file, env);
        PrintWriter out = parent.root.out;
        ArcaConfig config;
        try {
            config = ConfigDefaults.loader(env).load(path);
        } catch (ConfigException e) {
            if (output.json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("file", path.toString());
                result.put("valid", false);
                result.put("errors", e.errors().isEmpty() ? List.of(Map.of("message", e.getMessage())) : e.errors());
                Text.json(out, result);
            }
            throw e;
        }
        ConfigSummary summary = ConfigSummary.of(path.toString(), config, clock.instant());
        if (output.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("file", path.toString());
            result.put("valid", true);
            result.put("summary", summary);
            Text.json(out, result);
            return 0;
        }
        print(out, summary);
        return 0;
    }

    private static void print(PrintWriter out, ConfigSummary s) {
        out.println(s.file() + ": valid");
        out.println();
        out.println("repositories: " + s.repositories().size());
        Text.Table repos = new Text.Table("  NAME", "URL");
        s.repositories().forEach(r -> repos.row("  " + r.name(), r.url()));
        repos.print(out);
        out.println();
        out.println("subjects: " + s.subjects().size());
        Text.Table subjects = new Text.Table("  NAME", "DATABASE", "REPOSITORIES", "SOURCES", "WAL");
        s.subjects().forEach(x -> subjects.row("  " + x.name(), x.database(), String.join(", ", x.repositories()),
                x.sources().isEmpty() ? "-" : String.join(", ", x.sources()), x.walReceive() ? "streamed" : "-"));
        subjects.print(out);
        out.println();
        out.println("scheduled jobs: " + s.schedules().size());
        if (!s.schedules().isEmpty()) {
            Text.Table jobs = new Text.Table("  SUBJECT", "JOB", "CRON", "TIME ZONE", "NEXT RUNS");
            s.schedules().forEach(j -> jobs.row("  " + j.subject(), j.job(), j.cron(), j.timezone(),
                    String.join(", ", j.next().stream().map(ConfigCheckCommand::run).toList())));
            jobs.print(out);
        }
        out.println();
        List<String> channels = new ArrayList<>();
        s.notifications().forEach((type, n) -> channels.add(type + " " + n));
        out.println("notifications: " + (channels.isEmpty() ? "none" : String.join(", ", channels)));
        out.println("server: listen " + s.listen() + ", concurrency " + s.concurrency());
        out.flush();
    }

    private static String run(OffsetDateTime t) {
        return RUN.format(t);
    }
}
