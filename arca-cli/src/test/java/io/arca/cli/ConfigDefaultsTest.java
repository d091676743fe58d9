package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Option defaults from arca.yaml through real commands on local repositories: {@code init} and
 * {@code list} take their repositories from the subject, a flag wins, and a bad file or subject
 * is a usage error. (The environment's place in between is tested with the packaged jar, in
 * {@code ConfigCheckIT}.)
 */
class ConfigDefaultsTest {
    @TempDir
    Path dir;
    Path config;

    @BeforeEach
    void writeConfig() throws Exception {
        config = Files.writeString(dir.resolve("arca.yaml"), """
                repositories:
                  one: {url: %s}
                  two: {url: %s}
                subjects:
                  app:
                    repositories: [one, two]
                    database: postgresql://app@127.0.0.1:1/app
                  other:
                    repositories: [two]
                    database: postgresql://app@127.0.0.1:1/other
                """.formatted(dir.resolve("one"), dir.resolve("two")));
    }

    @Test
    void initAndListTakeTheSubjectsRepositories() {
        ArcaRun init = ArcaRun.of("init", "--config", config.toString(), "--subject", "app");
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(dir.resolve("one/arca.json")).exists();
        assertThat(dir.resolve("two/arca.json")).exists();

        ArcaRun list = ArcaRun.of("list", "--config", config.toString(), "--subject", "other");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).isEqualTo("no backups in file:" + dir.resolve("two") + " of 'other'\n");

        // a command that works on one repository takes the subject's first
        ArcaRun app = ArcaRun.of("list", "--config", config.toString(), "--subject", "app");
        assertThat(app.exit()).as(app.toString()).isZero();
        assertThat(app.out()).isEqualTo("no backups in file:" + dir.resolve("one") + " of 'app'\n");
    }

    @Test
    void aFlagWinsOverTheFile() {
        ArcaRun r = ArcaRun.of("list", "--config", config.toString(), "--subject", "other", "--repo",
                dir.resolve("elsewhere").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(10);
        assertThat(r.err()).startsWith("error: no arca repository at 'file:" + dir.resolve("elsewhere") + "'");
    }

    @Test
    void withSeveralSubjectsOneMustBeNamed() {
        ArcaRun r = ArcaRun.of("list", "--config", config.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: '" + config + "' has 2 subjects: app, other; which one is meant?\n"
                + "hint: pass --subject NAME or set ARCA_SUBJECT\n");

        ArcaRun unknown = ArcaRun.of("list", "--config", config.toString(), "--subject", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("error: no subject 'nope' in '" + config + "'; subjects: app, other\n");
    }

    @Test
    void aBadFileFailsTheCommandWithItsErrors() throws Exception {
        Files.writeString(config, Files.readString(config).replace("[two]", "[three]"));
        ArcaRun r = ArcaRun.of("list", "--config", config.toString(), "--subject", "other");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: invalid configuration '" + config + "': 1 error\n"
                + config + ":9:20: subjects.other.repositories[0]: no repository named 'three'; repositories: one, two\n"
                + "hint: fix the lines above; 'arca config check " + config + "' checks the file again\n");
    }

    @Test
    void theFileIsNotReadWhenNoOptionNeedsIt() throws Exception {
        Files.writeString(config, "not: [valid");
        assertThat(ArcaRun.of("init", "--repo", dir.resolve("x").toString()).exit()).isZero();
        ArcaRun r = ArcaRun.of("list", "--config", config.toString(), "--repo", dir.resolve("x").toString(),
                "--subject", "app");
        assertThat(r.exit()).as(r.toString()).isZero();
        // without --subject the file is read for its only subject
        assertThat(ArcaRun.of("list", "--config", config.toString(), "--repo", dir.resolve("x").toString()).exit())
                .isEqualTo(2);
    }

    @Test
    void configAndSubjectComeFromTheEnvironmentToo() {
        assertThat(ArcaRun.of("init", "--config", config.toString(), "--subject", "app").exit()).isZero();
        Run r = run(Map.of("ARCA_CONFIG", config.toString(), "ARCA_SUBJECT", "other"), "list");
        assertThat(r.exit).as(r.err).isZero();
        // ARCA_SUBJECT is --subject's default too: list shows that subject's backups
        assertThat(r.out).isEqualTo("no backups in file:" + dir.resolve("two") + " of 'other'\n");

        // a flag names the subject over ARCA_SUBJECT
        r = run(Map.of("ARCA_CONFIG", config.toString(), "ARCA_SUBJECT", "other"), "list", "--subject", "app");
        assertThat(r.out).isEqualTo("no backups in file:" + dir.resolve("one") + " of 'app'\n");

        // ARCA_REPO set: the provider leaves --repo to the variable (this JVM has none, so nothing is given)
        r = run(Map.of("ARCA_CONFIG", config.toString(), "ARCA_SUBJECT", "other", "ARCA_REPO", "/elsewhere"), "list");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("no repository given");
    }

    @Test
    void theOnlySubjectOfTheFileIsTheSubject() throws Exception {
        Path single = Files.writeString(dir.resolve("single.yaml"), """
                repositories:
                  one: {url: %s}
                subjects:
                  solo:
                    repositories: [one]
                    database: postgresql://app@127.0.0.1:1/app
                """.formatted(dir.resolve("one")));
        assertThat(ArcaRun.of("init", "--config", single.toString()).exit()).isZero();
        ArcaRun r = ArcaRun.of("list", "--config", single.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("no backups in file:" + dir.resolve("one") + " of 'solo'\n");
        // without a file there is no subject to default to
        assertThat(ArcaRun.of("list", "--repo", dir.resolve("one").toString()).out())
                .isEqualTo("no backups in file:" + dir.resolve("one") + "\n");
    }

    @Test
    void helpShowsTheOptions() {
        ArcaRun r = ArcaRun.of("backup", "--help");
        // the command's own --subject says where its default comes from
        assertThat(r.out().replaceAll("\\s+", " ")).contains("--config=FILE", "--subject=NAME", "env ARCA_CONFIG",
                "Env ARCA_SUBJECT; with --config, the file's only subject by default.");
        assertThat(ArcaRun.of("show", "--help").out().replaceAll("\\s+", " ")).contains("--subject=NAME", "(env ARCA_SUBJECT;");
        // commands that read the file themselves get neither
        assertThat(ArcaRun.of("config", "check", "--help").out()).doesNotContain("--subject");
    }

    record Run(int exit, String out, String err) {
    }

    // the command line as Main builds it, with ConfigDefaults given another environment than this JVM's
    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ArcaCommand root = new ArcaCommand(new PrintWriter(out, true), new PrintWriter(err, true));
        CommandLine cl = new CommandLine(root);
        ArcaCommand.COMMANDS.forEach(cl::addSubcommand);
        ConfigDefaults.install(cl, env);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, c, p) -> Main.report(e, false, new PrintWriter(err, true)));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
