package io.arca.dist;

import io.arca.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build-time generator of the distribution's man pages and bash completion, from the same command
 * model {@code arca --help} prints: {@link Main#commandLine} with no command named, so every
 * command is registered. Picocli's generator writes one AsciiDoc page per command, which
 * Asciidoctor's {@code manpage} backend turns into troff. It is not shipped.
 */
public final class DistDocs {
    private static final Pattern OPTIONAL_PART = Pattern.compile("_([^_\\s\\[]*)\\[([^_\\s\\]]*)]([^_\\s]*)_");

    private DistDocs() {
    }

    /**
     * {@code args}: the output directory and the version; writes {@code adoc/*.adoc},
     * {@code man/*.1} and {@code bash-completion/arca} there.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DistDocs OUTPUT_DIR VERSION");
        }
        Path out = Path.of(args[0]);
        String version = args[1];
        // no command named: all of them registered
        CommandLine cl = Main.commandLine();

        Path adoc = Files.createDirectories(out.resolve("adoc"));
        int code = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], false, cl.getCommandSpec());
        if (code != 0) {
            throw new IllegalStateException("picocli's man page generator failed with exit code " + code);
        }
        List<Path> pages;
        try (Stream<Path> files = Files.list(adoc)) {
            pages = files.filter(p -> p.toString().endsWith(".adoc")).sorted().toList();
        }
        if (pages.size() < cl.getSubcommands().size() + 1) {
            throw new IllegalStateException("expected a page per command in " + adoc + ", found " + pages.size());
        }

        // an option's value label with an optional part (CODEC[:LEVEL]) is AsciiDoc attribute-list
        // syntax inside emphasis and swallows the option in the synopsis: write its brackets as
        // the attributes Asciidoctor prints as brackets
        for (Path page : pages) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            Files.writeString(page, OPTIONAL_PART.matcher(text).replaceAll("_$1{startsb}$2{endsb}$3_"), StandardCharsets.UTF_8);
        }

        File man = Files.createDirectories(out.resolve("man")).toFile();
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            Options options = Options.builder().backend("manpage").safe(SafeMode.UNSAFE).toDir(man).mkDirs(true)
                    .attributes(Attributes.builder().attribute("mansource", "Arca " + version)
                            .attribute("manmanual", "Arca Manual").attribute("revnumber", version).build())
                    .build();
            for (Path page : pages) {
                asciidoctor.convertFile(page.toFile(), options);
            }
        }

        Path completion = Files.createDirectories(out.resolve("bash-completion")).resolve("arca");
        Files.writeString(completion, AutoComplete.bash("arca", cl), StandardCharsets.UTF_8);
    }
}
