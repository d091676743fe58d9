package io.arca.postgres.logical;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainCopyScannerTest {
    private static final String SCRIPT = String.join("\n",
            "-- PostgreSQL database dump",
            "CREATE TABLE public.t (a text);",
            "COPY public.t (a) FROM stdin;",
            "COPY public.not_a_table (a) FROM stdin;",   // data that looks like a COPY line
            "x\\ty",
            "\\.",
            "",
            "COPY \"Ünïcødé\".\"Tåble ☃\" (\"Ïd\", \"with \"\"quote\"\"\") FROM stdin;",
            "1\tone",
            "\\.",
            "COPY app.empty (id) FROM stdin;",
            "\\.",
            "SELECT pg_catalog.setval('public.s', 1, true);",
            "");

    @ParameterizedTest(name = "write chunks of at most {0} bytes")
    @ValueSource(ints = {1, 2, 7, 64, 1 << 20})
    void findsEveryCopyOutsideDataAndPassesBytesThrough(int chunk) throws Exception {
        byte[] bytes = SCRIPT.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<TableRef> tables = new ArrayList<>();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (PlainCopyScanner scanner = new PlainCopyScanner(out, tables::add)) {
            int i = 0;
            while (i < bytes.length) {
                int n = Math.min(bytes.length - i, 1 + random.nextInt(chunk));
                scanner.write(bytes, i, n);
                i += n;
            }
        }
        assertThat(out.toByteArray()).as("seed %d", seed).isEqualTo(bytes);
        assertThat(tables).as("seed %d", seed).containsExactly(new TableRef("public", "t"),
                new TableRef("Ünïcødé", "Tåble ☃"), new TableRef("app", "empty"));
    }
}
