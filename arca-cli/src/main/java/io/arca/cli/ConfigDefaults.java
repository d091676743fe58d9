package io.arca.cli;

import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigException;
import io.arca.app.config.ConfigLoader;
import io.arca.core.source.BackupSource;
import io.arca.core.source.SourceOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from {@code arca.yaml}: with {@code --config FILE} (or {@code ARCA_CONFIG}) and
 * {@code --subject NAME} (or {@code ARCA_SUBJECT}; the only subject when the file has one), an
 * option given neither as a flag nor through its {@code ARCA_*} variable takes the subject's
 * setting: {@code --repo} its repositories, {@code --db} its database, the keys of its first
 * repository, and per command its backup options, retention, objectives and drill settings. This
 * is what a Kubernetes CronJob runs: {@code arca backup --config /etc/arca/arca.yaml --subject app}.
 *
 * <p>Precedence is flags, then environment, then file: picocli asks a default provider only for
 * options the command line did not set, and this one answers nothing for an option whose
 * environment variable is set. The file is read only when an option needs it, so a command whose
 * options are all given ({@code --subject} included) works whatever {@code ARCA_CONFIG} names.
 *
 * <p>{@code --subject} itself defaults to {@code ARCA_SUBJECT}, else (with a file) to the file's
 * only subject, so that a command records and reports the subject it took its settings from.
 *
 * <p>Commands with {@code --repo} or {@code --db} get {@code --config} and {@code --subject} when
 * they do not declare them; list options the file fills take their values one per line (a
 * default is one string), which a URL or path never contains.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    static final String CONFIG = "--config";
    static final String SUBJECT = "--subject";
    static final String SUBJECT_ENV = "ARCA_SUBJECT";

    // commands that read arca.yaml themselves, or have nothing a subject sets
    private static final Set<String> OWN_CONFIG = Set.of("server", "config", "demo", "metrics");
    /** The options this class fills that have an environment variable of their own, which wins over the file. */
    static final Map<String, String> ENVIRONMENT = Map.of("--repo", "ARCA_REPO", "--db", "ARCA_DB",
            "--passphrase-file", "ARCA_PASSPHRASE", "--private-key", "ARCA_PRIVATE_KEY", "--encrypt-to", "ARCA_PUBLIC_KEY");
    // commands that take --repo more than once (the others take the subject's first repository)
    private static final Set<String> SEVERAL_REPOSITORIES = Set.of("init", "backup", "verify");
    private static final Set<String> LISTS = Set.of("--repo", "--encrypt-to", "--private-key", "--check", "--label");

    private final Map<String, String> environment;
    private final Function<Path, ArcaConfig> loader;
    private Path loadedFile;
    private ArcaConfig loaded;

    ConfigDefaults(Map<String, String> environment, Function<Path, ArcaConfig> loader) {
        this.environment = Map.copyOf(environment);
        this.loader = loader;
    }

    /** Adds {@code --config} and {@code --subject} where they belong and the provider to {@code cl}. */
    static void install(CommandLine cl, Map<String, String> environment) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            hook(sub);
        }
        // the loader (and the sources it checks against) only when a file is read: wal-push runs often
        cl.setDefaultValueProvider(new ConfigDefaults(environment, file -> loader(environment).load(file)));
    }

    /** The loader for {@code arca.yaml}, knowing the options of the sources on the class path. */
    static ConfigLoader loader(Map<String, String> environment) {
        List<SourceOption> sources = new ArrayList<>();
        SourceFlags.sources().all().forEach(s -> sources.addAll(s.backupOptions()));
        return new ConfigLoader(environment, sources);
    }

    private static void hook(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (OWN_CONFIG.contains(spec.name())) {
            return;
        }
        cl.getSubcommands().values().forEach(ConfigDefaults::hook);
        if (spec.findOption("--repo") == null && spec.findOption("--db") == null) {
            return;
        }
        if (spec.findOption(CONFIG) == null) {
            spec.addOption(OptionSpec.builder(CONFIG).paramLabel("FILE").type(Path.class)
                    .description("arca.yaml whose subject (--subject) gives the defaults of options not set by a"
                            + " flag or their ARCA_* variable: --repo, --db, keys, and this command's settings"
                            + " (env ARCA_CONFIG; see docs/configuration.md).")
                    .build());
        }
        OptionSpec subject = spec.findOption(SUBJECT);
        if (subject == null) {
            spec.addOption(OptionSpec.builder(SUBJECT).paramLabel("NAME").type(String.class)
                    .description("With --config: the subject whose settings are used (env ARCA_SUBJECT; default:"
                            + " the file's only subject).")
                    .build());
        } else if (!String.join(" ", subject.description()).contains(SUBJECT_ENV)) {
            // the command's own --subject: say where its default comes from now
            String[] description = subject.description().clone();
            description[description.length - 1] += " Env " + SUBJECT_ENV + "; with --config, the file's only subject"
                    + " by default.";
            spec.remove(subject);
            spec.addOption(subject.toBuilder().description(description).build());
        }
        for (String name : LISTS) {
            OptionSpec option = spec.findOption(name);
            if (option != null && option.isMultiValue() && option.splitRegex().isEmpty()) {
                spec.remove(option);
                spec.addOption(option.toBuilder().splitRegex("\n").splitRegexSynopsisLabel("").build());
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.command() == null) {
            return null;
        }
        CommandSpec command = option.command();
        String name = option.longestName();
        if (OWN_CONFIG.contains(command.name()) || command.findOption(CONFIG) == null || name.equals(CONFIG)) {
            return null;
        }
        if (Arrays.asList(option.names()).contains(SUBJECT)) {
            return subjectDefault(command);
        }
        if (fromEnvironment(option)) {
            return null;
        }
        Path file = configFile(command);
        if (file == null || !settable(command, name)) {
            return null;
        }
        ArcaConfig config = load(file);
        String subjectName = subjectName(command, config, file, name.equals("--repo") || name.equals("--db"));
        if (subjectName == null) {
            return null;
        }
        return value(command.name(), name, option, config, config.subjects().get(subjectName));
    }

    // an option this class may fill for this command (so the file is only read when one is asked for)
    private static boolean settable(CommandSpec command, String name) {
        return switch (name) {
            case "--repo", "--db", "--encrypt-to", "--passphrase-file", "--private-key" -> true;
            case "--format", "--jobs", "--globals", "--compression", "--label" -> command.name().equals("backup");
            case "--keep-last", "--keep-daily", "--keep-weekly", "--keep-monthly", "--keep-within" ->
                    command.name().equals("prune") || command.name().equals("init");
            case "--rpo", "--drill-within" -> command.name().equals("status");
            case "--rto" -> command.name().equals("status") || command.name().equals("drill");
            case "--scratch", "--check" -> command.name().equals("drill");
            default -> command.name().equals("backup") && isSourceOption(name);
        };
    }

    private static boolean isSourceOption(String name) {
        for (BackupSource s : SourceFlags.sources().all()) {
            for (SourceOption o : s.backupOptions()) {
                if (o.name().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean fromEnvironment(OptionSpec option) {
        String variable = ENVIRONMENT.get(option.longestName());
        String value = variable == null ? null : environment.get(variable);
        return value != null && !value.isBlank();
    }

    private Path configFile(CommandSpec command) {
        Object given = command.findOption(CONFIG).getValue();
        if (given != null) {
            return (Path) given;
        }
        String env = environment.get(ConfigLoader.CONFIG_ENV);
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    private ArcaConfig load(Path file) {
        if (loaded == null || !file.equals(loadedFile)) {
            loaded = loader.apply(file);
            loadedFile = file;
        }
        return loaded;
    }

    // ARCA_SUBJECT, else the file's only subject: the subject a command records and reports is the file's
    private String subjectDefault(CommandSpec command) {
        String env = environment.get(SUBJECT_ENV);
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path file = configFile(command);
        if (file == null) {
            return null;
        }
        ArcaConfig config = load(file);
        return config.subjects().size() == 1 ? config.subjects().keySet().iterator().next() : null;
    }

    private String subjectName(CommandSpec command, ArcaConfig config, Path file, boolean needed) {
        Object given = command.findOption(SUBJECT).getValue();
        String name = given != null ? given.toString() : environment.get(SUBJECT_ENV);
        Collection<String> names = config.subjects().keySet();
        if (name == null || name.isBlank()) {
            if (names.size() == 1) {
                return names.iterator().next();
            }
            if (!needed) {
                return null;
            }
            throw new ConfigException("'" + file + "' has " + names.size() + " subjects: " + String.join(", ", names)
                    + "; which one is meant?", "pass --subject NAME or set " + SUBJECT_ENV);
        }
        if (!config.subjects().containsKey(name)) {
            throw new ConfigException("no subject '" + name + "' in '" + file + "'; subjects: " + String.join(", ", names),
                    "pass one of them with --subject or " + SUBJECT_ENV);
        }
        return name;
    }

    private static String value(String command, String option, OptionSpec spec, ArcaConfig config,
            ArcaConfig.SubjectEntry subject) {
        ArcaConfig.RepositoryEntry primary = config.repositories().get(subject.repositories().get(0));
        ArcaConfig.Backup backup = subject.backup();
        ArcaConfig.Retention retention = subject.retention();
        ArcaConfig.Objectives objectives = subject.objectives();
        ArcaConfig.Drill drill = subject.drill();
        return switch (option) {
            case "--repo" -> SEVERAL_REPOSITORIES.contains(command)
                    ? list(spec, subject.repositories().stream().map(r -> config.repositories().get(r).url()).toList())
                    : primary.url();
            case "--db" -> subject.database();
            case "--encrypt-to" -> primary.encryptTo() == null ? null : list(spec, primary.encryptTo());
            case "--passphrase-file" -> primary.passphraseFile();
            case "--private-key" -> primary.privateKeyFile() == null ? null : list(spec, List.of(primary.privateKeyFile()));
            case "--format" -> backup == null ? null : backup.format();
            case "--jobs" -> backup == null || backup.jobs() == null ? null : backup.jobs().toString();
            case "--globals" -> backup != null && Boolean.TRUE.equals(backup.globals()) ? "true" : null;
            case "--compression" -> backup == null ? null : backup.compression();
            case "--label" -> backup == null || backup.labels() == null || backup.labels().isEmpty() ? null
                    : list(spec, backup.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            case "--keep-last" -> retention == null ? null : string(retention.keepLast());
            case "--keep-daily" -> retention == null ? null : string(retention.keepDaily());
            case "--keep-weekly" -> retention == null ? null : string(retention.keepWeekly());
            case "--keep-monthly" -> retention == null ? null : string(retention.keepMonthly());
            case "--keep-within" -> retention == null ? null : retention.keepWithin();
            case "--rpo" -> objectives == null ? null : objectives.rpo();
            case "--rto" -> objectives == null ? null : objectives.rto();
            case "--drill-within" -> objectives == null ? null : objectives.drillWithin();
            case "--scratch" -> drill == null ? null : drill.server();
            case "--check" -> drill == null || drill.checks() == null || drill.checks().isEmpty() ? null
                    : list(spec, drill.checks());
            default -> source(spec, subject, option);
        };
    }

    // a source option from `sources`, keyed by its name without dashes
    private static String source(OptionSpec spec, ArcaConfig.SubjectEntry subject, String option) {
        Object value = subject.sources() == null ? null : subject.sources().get(option.substring(2));
        if (value == null || Boolean.FALSE.equals(value)) {
            return null;
        }
        if (value instanceof List<?> values) {
            return list(spec, values.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    // several values as one default: one per line where the option splits them, else the first
    private static String list(OptionSpec spec, List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        return spec.splitRegex().equals("\n") ? String.join("\n", values) : values.get(0);
    }

    private static String string(Integer n) {
        return n == null ? null : n.toString();
    }
}
