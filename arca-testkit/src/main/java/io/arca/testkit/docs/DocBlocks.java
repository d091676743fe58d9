package io.arca.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shell blocks of the user documentation, for tests that run them exactly as written: the first
 * {@code sh} block after a marker {@code <!-- NAME -->}. The documents are found in the directory
 * the system property {@code arca.docs} names, else {@code ../docs} (a module's working directory
 * in the build).
 */
public final class DocBlocks {
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
}
