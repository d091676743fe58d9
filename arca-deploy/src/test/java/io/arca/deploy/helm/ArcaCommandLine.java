package io.arca.deploy.helm;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Arca's own command line model, built as {@code io.arca.cli.Main} builds it (ArcaCommand's
 * {@code commandLine}, with case-insensitive enum values), to check that a rendered container's
 * {@code args} are a command line Arca accepts: the same parsing that runs before any command
 * does its work, including the defaults a {@code --config} file gives. The builder is package
 * private in arca-cli, so it is reached by reflection.
 */
final class ArcaCommandLine {
    private ArcaCommandLine() {
    }

    /** Parses {@code args}; returns the subcommand's name, or throws picocli's ParameterException. */
    static String parse(List<String> args) {
        String[] array = args.toArray(String[]::new);
        try {
            Class<?> rootType = Class.forName("io.arca.cli.ArcaCommand");
            Constructor<?> constructor = rootType.getDeclaredConstructor(PrintWriter.class, PrintWriter.class);
            constructor.setAccessible(true);
            PrintWriter sink = new PrintWriter(new StringWriter());
            Object root = constructor.newInstance(sink, sink);
            Method build = rootType.getDeclaredMethod("commandLine", rootType, String[].class);
            build.setAccessible(true);
            CommandLine cl = (CommandLine) build.invoke(null, root, array);
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            CommandLine.ParseResult result = cl.parseArgs(array);
            if (!result.hasSubcommand()) {
                throw new AssertionError("no arca command in " + args);
            }
            return result.subcommand().commandSpec().name();
        } catch (ReflectiveOperationException e) {
            if (e instanceof InvocationTargetException ite && ite.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("io.arca.cli.ArcaCommand.commandLine(ArcaCommand, String[]) changed", e);
        }
    }
}
