package io.arca.cli;

import io.arca.core.source.BackupSource;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of the {@link BackupSource}s on the class path, as flags of {@code backup},
 * {@code restore} and {@code drill}: the sources declare them ({@link SourceOption}) and this adds
 * them to the commands' picocli models, so a new source needs no change here.
 */
final class SourceFlags {
    private static volatile BackupSources sources;

    private SourceFlags() {
    }

    /** The sources on the class path (loaded once). */
    static BackupSources sources() {
        BackupSources s = sources;
        if (s == null) {
            s = BackupSources.load();
            sources = s;
        }
        return s;
    }

    /** Adds the sources' options to the commands of {@code cl} that take them. */
    static void register(CommandLine cl) {
        add(cl, "backup", BackupSource::backupOptions);
        add(cl, "restore", BackupSource::restoreOptions);
        add(cl, "drill", BackupSource::drillOptions);
    }

    private static void add(CommandLine cl, String command, Function<BackupSource, List<SourceOption>> options) {
        CommandLine sub = cl.getSubcommands().get(command);
        if (sub == null) {
            return;
        }
        CommandSpec spec = sub.getCommandSpec();
        for (BackupSource source : sources().all()) {
            for (SourceOption o : options.apply(source)) {
                OptionSpec.Builder b = OptionSpec.builder(o.name()).description(o.description());
                if (o.isFlag()) {
                    b.type(boolean.class).arity("0");
                } else if (o.repeatable()) {
                    b.paramLabel(o.paramLabel()).type(List.class).auxiliaryTypes(String.class).arity("1");
                } else {
                    b.paramLabel(o.paramLabel()).type(String.class).arity("1");
                }
                spec.addOption(b.build());
            }
        }
    }

    /** The values given for {@code source}'s options of one command. */
    static SourceOptions values(CommandSpec spec, List<SourceOption> options) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (SourceOption o : options) {
            OptionSpec option = spec.findOption(o.name());
            if (option == null) {
                continue;
            }
            Object v = option.getValue();
            if (o.isFlag()) {
                if (Boolean.TRUE.equals(v)) {
                    values.put(o.name(), List.of());
                }
            } else if (v instanceof List<?> list) {
                if (!list.isEmpty()) {
                    List<String> strings = new ArrayList<>();
                    list.forEach(x -> strings.add(String.valueOf(x)));
                    values.put(o.name(), strings);
                }
            } else if (v != null) {
                values.put(o.name(), List.of(String.valueOf(v)));
            }
        }
        return new SourceOptions(values, System.getenv());
    }

    /** The sources that {@code selected} picks, each with its option values. */
    static List<Selected> selected(CommandSpec spec, Function<BackupSource, List<SourceOption>> options,
            java.util.function.BiPredicate<BackupSource, SourceOptions> selected) {
        List<Selected> chosen = new ArrayList<>();
        for (BackupSource source : sources().all()) {
            SourceOptions values = values(spec, options.apply(source));
            if (selected.test(source, values)) {
                chosen.add(new Selected(source, values));
            }
        }
        return chosen;
    }

    /** A source with the values given for its options. */
    record Selected(BackupSource source, SourceOptions options) {
    }

    /** The names of every source option of a command, for messages: {@code --files, --k8s-namespace}. */
    static String selectingOptions(Function<BackupSource, List<SourceOption>> options) {
        List<String> names = new ArrayList<>();
        for (BackupSource s : sources().all()) {
            options.apply(s).stream().findFirst().ifPresent(o -> names.add(o.name()));
        }
        return String.join(", ", names);
    }
}
