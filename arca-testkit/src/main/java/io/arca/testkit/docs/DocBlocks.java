package io.arca.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell blocks of the user documentation, for tests that run them exactly as written: the first
 * {@code sh} block after a marker {@code <!-- NAME -->}. The documents are found in the directory
 * the system property {@code arca.docs} names, else {@code ../docs} (a module's working directory
 * in the build).
 */
public final class DocBlocks {
    private static final Pattern MARKER = Pattern.compile("<!-- (\\S+) -->");

    /**
     * A fenced block of a document.
     *
     * @param language the word after the opening fence ({@code yaml}, {@code sh}), empty for none
     * @param marker the {@code NAME} of a {@code <!-- NAME -->} line right before the fence, or null
     * @param text the block's lines, each ending in a line break
     */
    public record Block(String language, String marker, String text) {
    }

    /** The document that holds every by-hand restore. */
    public static final String REPOSITORY_FORMAT = "repository-format.md";

    private DocBlocks() {
    }

    /** The first {@code sh} block after {@code <!-- marker -->} in {@code document} (a file in docs/). */
    public static String shell(String document, String marker) throws IOException {
        Path doc = Path.of(System.getProperty("arca.docs", "../docs"), document);
        String text = Files.readString(doc);
        int at = text.indexOf("<!-- " + marker + " -->");
        assertThat(at).as("marker %s in %s", marker, doc).isNotNegative();
        int start = text.indexOf("```sh\n", at);
        assertThat(start).as("an sh block after %s in %s", marker, doc).isNotNegative();
        start += "```sh\n".length();
        return text.substring(start, text.indexOf("```", start));
    }

    /** Every fenced block of {@code document} (a file in docs/), in order. */
    public static List<Block> blocks(String document) throws IOException {
        Path doc = Path.of(System.getProperty("arca.docs", "../docs"), document);
        List<Block> blocks = new ArrayList<>();
        String marker = null;
        String language = null;
        StringBuilder text = null;
        for (String line : Files.readAllLines(doc)) {
            if (text != null) {
                if (line.startsWith("```")) {
                    blocks.add(new Block(language, marker, text.toString()));
                    text = null;
                    marker = null;
                } else {
                    text.append(line).append('\n');
                }
            } else if (line.startsWith("```")) {
                language = line.substring(3).trim();
                text = new StringBuilder();
            } else if (!line.isBlank()) {
                Matcher m = MARKER.matcher(line.trim());
                marker = m.matches() ? m.group(1) : null;
            }
        }
        assertThat(text).as("an unclosed block in %s", doc).isNull();
        return blocks;
    }
}
