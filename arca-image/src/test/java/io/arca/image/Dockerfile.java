package io.arca.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the final stage of deploy/image/Dockerfile declares, read from its text: the packages
 * {@code apt-get install} installs, those {@code apt-get download} fetches to unpack, the user {@code useradd} creates, the symbolic links {@code
 * ln -s} makes, the {@code COPY}s, and the image configuration (labels, environment, user,
 * working directory, entrypoint, command). Build arguments are replaced by their defaults
 * unless overridden, as {@code docker build --build-arg} does.
 */
record Dockerfile(Set<String> packages, Set<String> unpacked, Map<String, String> labels, Map<String, String> env, String user,
                  String workdir, List<String> entrypoint, List<String> cmd, List<String> symlinks,
                  List<Copy> copies, Useradd useradd) {

    /** {@code COPY [--from=STAGE] SRC DEST}. */
    record Copy(String from, String source, String destination) {
    }

    /** {@code useradd --uid U --gid G --home-dir H --shell S NAME}. */
    record Useradd(String name, int uid, int gid, String home, String shell) {
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");
    private static final Pattern PAIR = Pattern.compile("([^\\s=]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
    private static final Pattern INSTALL = Pattern.compile("apt-get install ([^;&|]*)");
    private static final Pattern DOWNLOAD = Pattern.compile("apt-get download ([^;&|]*)");
    private static final Pattern LN = Pattern.compile("ln -s (\\S+) (\\S+)");
    private static final Pattern USERADD = Pattern.compile("useradd ([^;&|]*)");

    static Dockerfile parse(Path file, Map<String, String> buildArgs) {
        List<String> instructions = new ArrayList<>();
        try {
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                } else {
                    current.append(trimmed);
                    if (current.length() > 0) {
                        instructions.add(current.toString());
                    }
                    current.setLength(0);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int lastFrom = -1;
        for (int i = 0; i < instructions.size(); i++) {
            if (keyword(instructions.get(i)).equals("FROM")) {
                lastFrom = i;
            }
        }
        if (lastFrom < 0) {
            throw new AssertionError(file + " has no FROM");
        }
        Map<String, String> args = new LinkedHashMap<>();
        Set<String> packages = new LinkedHashSet<>();
        Set<String> unpacked = new LinkedHashSet<>();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> symlinks = new ArrayList<>();
        List<Copy> copies = new ArrayList<>();
        String user = null;
        String workdir = null;
        List<String> entrypoint = null;
        List<String> cmd = null;
        Useradd useradd = null;
        for (String instruction : instructions.subList(lastFrom + 1, instructions.size())) {
            String rest = instruction.substring(keyword(instruction).length()).strip();
            switch (keyword(instruction)) {
                case "ARG" -> {
                    int eq = rest.indexOf('=');
                    String name = eq < 0 ? rest : rest.substring(0, eq);
                    args.put(name, buildArgs.getOrDefault(name, eq < 0 ? "" : unquote(rest.substring(eq + 1))));
                }
                case "LABEL" -> pairs(rest, args, env).forEach(labels::put);
                case "ENV" -> pairs(rest, args, env).forEach(env::put);
                case "USER" -> user = substitute(rest, args, env);
                case "WORKDIR" -> workdir = substitute(rest, args, env);
                case "ENTRYPOINT" -> entrypoint = json(rest);
                case "CMD" -> cmd = json(rest);
                case "COPY" -> {
                    String[] words = rest.split("\\s+");
                    String from = null;
                    List<String> paths = new ArrayList<>();
                    for (String w : words) {
                        if (w.startsWith("--from=")) {
                            from = w.substring("--from=".length());
                        } else if (!w.startsWith("--")) {
                            paths.add(substitute(w, args, env));
                        }
                    }
                    copies.add(new Copy(from, paths.get(0), paths.get(paths.size() - 1)));
                }
                case "RUN" -> {
                    words(INSTALL.matcher(rest), packages, args, env);
                    words(DOWNLOAD.matcher(rest), unpacked, args, env);
                    Matcher ln = LN.matcher(rest);
                    while (ln.find()) {
                        symlinks.add(substitute(ln.group(2), args, env) + " -> " + substitute(ln.group(1), args, env));
                    }
                    Matcher ua = USERADD.matcher(rest);
                    if (ua.find()) {
                        useradd = useradd(ua.group(1).strip().split("\\s+"));
                    }
                }
                default -> {
                    // SHELL, EXPOSE, VOLUME, ...: not used by this Dockerfile
                }
            }
        }
        return new Dockerfile(packages, unpacked, labels, env, user, workdir, entrypoint, cmd, symlinks, copies, useradd);
    }

    private static Useradd useradd(String[] words) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].startsWith("--") && !words[i + 1].startsWith("--")) {
                options.put(words[i], words[i + 1]);
                i++;
            }
        }
        return new Useradd(words[words.length - 1], Integer.parseInt(options.get("--uid")),
                Integer.parseInt(options.get("--gid")), options.get("--home-dir"), options.get("--shell"));
    }

    private static String keyword(String instruction) {
        int space = instruction.indexOf(' ');
        return (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
    }

    private static Map<String, String> pairs(String text, Map<String, String> args, Map<String, String> env) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(text);
        while (m.find()) {
            pairs.put(unquote(m.group(1)), substitute(unquote(m.group(2)), args, env));
        }
        return pairs;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
                ? s.substring(1, s.length() - 1).replace("\\\"", "\"") : s;
    }

    /** The words after a matched command, without options, into {@code into}. */
    private static void words(Matcher command, Set<String> into, Map<String, String> args, Map<String, String> env) {
        while (command.find()) {
            for (String w : command.group(1).strip().split("\\s+")) {
                if (!w.isEmpty() && !w.startsWith("-")) {
                    into.add(substitute(unquote(w), args, env));
                }
            }
        }
    }

    private static String substitute(String s, Map<String, String> args, Map<String, String> env) {
        Matcher m = VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = env.containsKey(name) ? env.get(name) : args.get(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> json(String text) {
        try {
            return new ObjectMapper().readValue(text, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new AssertionError("not a JSON array (exec form): " + text, e);
        }
    }
}
