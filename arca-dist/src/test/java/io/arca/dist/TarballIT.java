package io.arca.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball the build made ({@code arca.dist.tarball}), unpacked as a user would: its launcher
 * runs on the bundled runtime with no Java on {@code PATH} and no {@code JAVA_HOME}, through a
 * symlink, writes and uses its class-data-sharing archive, and carries man pages, completion and
 * units for the real commands.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TarballIT {
    static final String VERSION = System.getProperty("arca.dist.version");
    /** A long option's item in a man page's OPTIONS section: {@code \fB\-\-name\fP}. */
    private static final Pattern OPTION_ITEM = Pattern.compile("(?m)^\\\\fB(\\\\-\\\\-[a-z0-9\\\\-]+)\\\\fP");

    @TempDir
    static Path dir;
    static Path home;
    /** A PATH with the few programs the launcher uses, and no java. */
    static Map<String, String> bare;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("arca.dist.tarball"));
        assertThat(tarball).as("the tarball the build made").isRegularFile();
        assertThat(Files.size(tarball)).as("tarball size (goal: 120 MB)").isLessThanOrEqualTo(120L * 1000 * 1000);
        Command.require("tar", "tar");
        Command tar = Command.run("tar", "-xzf", tarball.toString(), "-C", dir.toString());
        assertThat(tar.exit()).as(tar.toString()).isZero();
        try (Stream<Path> top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString())).as("one top folder").containsExactly("arca-" + VERSION);
        }
        home = dir.resolve("arca-" + VERSION);

        Path bin = Files.createDirectories(dir.resolve("path"));
        for (String tool : List.of("readlink", "dirname", "rm", "mv", "chmod", "touch")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(Command.require(tool, "coreutils")));
        }
        // a symlink chain, as /usr/local/bin/arca -> /opt/arca/bin/arca would be
        Files.createSymbolicLink(bin.resolve("arca"), Path.of("../link-to-launcher"));
        Files.createSymbolicLink(dir.resolve("link-to-launcher"), home.resolve("bin/arca"));
        bare = Map.of("PATH", bin.toString(), "HOME", dir.toString(), "LANG", "C.UTF-8");
    }

    private static Command arca(Map<String, String> extra, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(bare);
        env.putAll(extra);
        String[] command = Stream.concat(Stream.of("/bin/sh", "-c", "exec arca \"$@\"", "arca"), Arrays.stream(args))
                .toArray(String[]::new);
        return Command.run(env, Map.of(), 300, command);
    }

    @Test
    @Order(1)
    void layoutIsTheContract() {
        assertThat(home.resolve("bin/arca")).isExecutable();
        assertThat(home.resolve("lib/arca.jar")).isRegularFile();
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("share/man/man1/arca.1")).isRegularFile();
        assertThat(home.resolve("share/bash-completion/completions/arca")).isRegularFile();
        assertThat(home.resolve("lib/systemd/system/arca-server.service")).isRegularFile();
        assertThat(home.resolve("lib/systemd/system/arca-backup@.service")).isRegularFile();
        assertThat(home.resolve("lib/systemd/system/arca-backup@.timer")).isRegularFile();
        assertThat(home.resolve("share/doc/arca/install.md")).isRegularFile();
        assertThat(home.resolve("lib/arca.jsa")).as("no archive before the first run").doesNotExist();
    }

    @Test
    @Order(2)
    void versionRunsOnTheBundledRuntimeWithoutSystemJava() throws Exception {
        assertThat(Path.of(bare.get("PATH"), "java")).doesNotExist();
        // -XshowSettings prints the runtime's java.home: the bundled one, not the JDK running this test
        Command version = arca(Map.of("ARCA_JAVA_OPTS", "-XshowSettings:properties"), "--version");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out().strip()).isEqualTo("arca " + VERSION);
        assertThat(version.err()).contains("java.home = " + home.resolve("runtime"));
        assertThat(version.err()).doesNotContain(System.getProperty("java.home"));
    }

    @Test
    @Order(3)
    void firstRunWroteTheClassDataSharingArchiveAndLaterRunsUseIt() throws Exception {
        assertThat(home.resolve("lib/arca.jsa")).as("written by the first run (lib/ is writable)").isRegularFile();
        Command loaded = arca(Map.of("ARCA_JAVA_OPTS", "-Xlog:class+load=info"), "--version");
        assertThat(loaded.exit()).as(loaded.toString()).isZero();
        assertThat(loaded.out()).contains("io.arca.cli.Main source: shared objects file (top)");
        Command without = arca(Map.of("ARCA_NO_CDS", "1", "ARCA_JAVA_OPTS", "-Xlog:class+load=info"), "--version");
        assertThat(without.exit()).as(without.toString()).isZero();
        assertThat(without.out()).contains("io.arca.cli.Main source: file:").doesNotContain("shared objects file (top)");
    }

    @Test
    @Order(4)
    void helpManPagesAndCompletionCoverTheCommands() throws Exception {
        Command help = arca(Map.of(), "--help");
        assertThat(help.exit()).as(help.toString()).isZero();
        Set<String> commands = commands(help.out());
        assertThat(commands).contains("backup", "restore", "wal-push", "wal-fetch", "server");
        for (String command : commands) {
            Path page = home.resolve("share/man/man1/arca-" + command + ".1");
            assertThat(page).as("man page of " + command).isRegularFile();
            String text = Files.readString(page);
            assertThat(text).contains(".SH \"NAME\"").contains("arca-" + command + " \\- ");
            everyOptionInTheSynopsis(command, text);
        }
        String root = Files.readString(home.resolve("share/man/man1/arca.1"));
        assertThat(root).contains(".TH \"ARCA\" \"1\"").contains(".SH \"NAME\"").contains("wal\\-push").contains(VERSION.replace("-", "\\-"));

        // bash runs the generated completion function as it would on TAB
        String bash = Command.require("bash", "bash");
        Path completion = home.resolve("share/bash-completion/completions/arca");
        Command complete = Command.run(bash, "-c", "source \"$0\"; COMP_WORDS=(arca wal-); COMP_CWORD=1;"
                + " COMP_LINE='arca wal-'; COMP_POINT=9; _complete_arca; printf '%s\\n' \"${COMPREPLY[@]}\"", completion.toString());
        assertThat(complete.exit()).as(complete.toString()).isZero();
        assertThat(complete.out().lines().map(String::strip)).containsExactlyInAnyOrder("wal-push", "wal-fetch", "wal-receive");
        Command options = Command.run(bash, "-c", "source \"$0\"; COMP_WORDS=(arca backup --sub); COMP_CWORD=2;"
                + " COMP_LINE='arca backup --sub'; COMP_POINT=17; _complete_arca; printf '%s\\n' \"${COMPREPLY[@]}\"", completion.toString());
        assertThat(options.out().lines().map(String::strip)).contains("--subject");
    }

    /** Each long option the OPTIONS section describes is in the SYNOPSIS too (AsciiDoc markup can swallow one). */
    private static void everyOptionInTheSynopsis(String command, String page) {
        if (!page.contains(".SH \"OPTIONS\"")) {
            return;
        }
        String synopsis = page.substring(page.indexOf(".SH \"SYNOPSIS\""), page.indexOf(".SH \"DESCRIPTION\""));
        Matcher option = OPTION_ITEM.matcher(page.substring(page.indexOf(".SH \"OPTIONS\"")));
        int found = 0;
        while (option.find()) {
            found++;
            assertThat(synopsis).as("synopsis of arca " + command).contains("\\fB" + option.group(1) + "\\fP");
        }
        assertThat(found).as("long options on the man page of arca " + command).isPositive();
    }

    @Test
    @Order(5)
    void exampleConfigurationIsValid() throws Exception {
        Path example = home.resolve("share/doc/arca/examples/arca.yaml");
        Command check = arca(Map.of(), "config", "check", example.toString());
        assertThat(check.exit()).as(check.toString()).isZero();
    }

    /**
     * Every module jdeps finds the jar needs is in the runtime (the build's list adds what only
     * reflection and ServiceLoader reach).
     */
    @Test
    @Order(6)
    void runtimeHasEveryModuleTheJarNeeds() throws Exception {
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        assertThat(jdeps).as("jdeps of the JDK running the tests").isExecutable();
        Command deps = Command.run(Map.of(), 600, jdeps.toString(), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", "17", home.resolve("lib/arca.jar").toString());
        assertThat(deps.exit()).as(deps.toString()).isZero();
        Set<String> needed = Set.of(deps.out().strip().split(","));
        String release = Files.readString(home.resolve("runtime/release"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("MODULES=\"([^\"]*)\"").matcher(release);
        assertThat(m.find()).as(release).isTrue();
        Set<String> present = Set.of(m.group(1).split(" "));
        assertThat(present).containsAll(needed).contains("jdk.crypto.ec", "jdk.httpserver", "jdk.zipfs");
    }

    /** The command names of {@code arca --help}'s "Commands:" section. */
    static Set<String> commands(String help) {
        String section = help.substring(help.indexOf("Commands:"));
        return section.lines().skip(1).filter(l -> l.startsWith("  ") && !l.startsWith("   "))
                .map(l -> l.strip().split("\\s+")[0]).collect(Collectors.toCollection(TreeSet::new));
    }
}
