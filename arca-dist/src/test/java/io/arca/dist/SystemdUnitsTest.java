package io.arca.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * The systemd units of {@code deploy/systemd} (packaged by arca-dist): their {@code ExecStart}
 * is a command line Arca accepts, parsed as {@link Main} parses one, with the example
 * {@code arca.yaml} the package ships in place of {@code /etc/arca/arca.yaml}; and the sandbox
 * leaves writable what the example writes. {@code SystemdUnitsIT} has systemd check them.
 */
class SystemdUnitsTest {
    static final Path UNITS = Path.of(System.getProperty("arca.dist.units", "../deploy/systemd"));
    static final Path EXAMPLE = Path.of(System.getProperty("arca.dist.example", "src/dist/doc/arca.yaml"));

    /** Section name to key to values (a key may repeat). */
    static Map<String, Map<String, List<String>>> parse(Path unit) throws Exception {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String raw : Files.readAllLines(unit)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = sections.computeIfAbsent(line.substring(1, line.indexOf(']')), k -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as(unit + ": a setting before any section: " + line).isNotNull();
            assertThat(line).as(unit + ": not a key=value line").contains("=");
            int eq = line.indexOf('=');
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
        }
        return sections;
    }

    /** ExecStart with {@code %i} = {@code instance}, parsed by Arca's own command line; the matched command. */
    static ParseResult execStart(Map<String, Map<String, List<String>>> unit, String instance) {
        List<String> exec = unit.get("Service").get("ExecStart");
        assertThat(exec).hasSize(1);
        List<String> words = new ArrayList<>(List.of(exec.get(0).replace("%i", instance).split("\\s+")));
        assertThat(words.remove(0)).isEqualTo("/usr/bin/arca");
        assertThat(words).contains("/etc/arca/arca.yaml");
        String[] args = words.stream().map(w -> w.equals("/etc/arca/arca.yaml") ? EXAMPLE.toString() : w)
                .toArray(String[]::new);
        ParseResult parsed = Main.commandLine(args).parseArgs(args);
        assertThat(parsed.hasSubcommand()).isTrue();
        return parsed.subcommand();
    }

    static void hardened(Map<String, Map<String, List<String>>> unit) {
        Map<String, List<String>> service = unit.get("Service");
        assertThat(service.get("User")).containsExactly("arca");
        assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
        assertThat(service.get("ProtectSystem")).containsExactly("strict");
        assertThat(service.get("PrivateTmp")).containsExactly("yes");
        // the example's local repository is under a writable path of the sandbox
        assertThat(service.get("ReadWritePaths")).containsExactly("/var/lib/arca");
        assertThat(service.get("StateDirectory")).containsExactly("arca");
        assertThat(unit.get("Unit").get("ConditionPathExists")).containsExactly("/etc/arca/arca.yaml");
    }

    @Test
    void serverUnitRunsArcaServerWithTheConfiguration() throws Exception {
        assertThat(Files.readString(EXAMPLE)).contains("url: /var/lib/arca/repo");
        Map<String, Map<String, List<String>>> unit = parse(UNITS.resolve("arca-server.service"));
        ParseResult server = execStart(unit, "");
        assertThat(server.commandSpec().name()).isEqualTo("server");
        assertThat(server.matchedOptionValue("--config", (Object) null)).hasToString(EXAMPLE.toString());
        hardened(unit);
        assertThat(unit.get("Service").get("Restart")).containsExactly("on-failure");
        assertThat(unit.get("Install").get("WantedBy")).containsExactly("multi-user.target");
    }

    @Test
    void backupUnitBacksUpTheInstanceSubject() throws Exception {
        Map<String, Map<String, List<String>>> unit = parse(UNITS.resolve("arca-backup@.service"));
        ParseResult backup = execStart(unit, "main");
        assertThat(backup.commandSpec().name()).isEqualTo("backup");
        assertThat(backup.matchedOptionValue("--subject", "")).isEqualTo("main");
        assertThat(unit.get("Service").get("Type")).containsExactly("oneshot");
        hardened(unit);
    }

    @Test
    void timerStartsTheBackupDaily() throws Exception {
        Map<String, Map<String, List<String>>> timer = parse(UNITS.resolve("arca-backup@.timer"));
        assertThat(timer.get("Timer").get("OnCalendar")).containsExactly("daily");
        assertThat(timer.get("Timer").get("Persistent")).containsExactly("true");
        assertThat(timer.get("Timer")).containsKey("RandomizedDelaySec");
        // no Unit=: the timer starts the service of its own name, arca-backup@NAME.service
        assertThat(timer.get("Timer")).doesNotContainKey("Unit");
        assertThat(timer.get("Install").get("WantedBy")).containsExactly("timers.target");
    }
}
