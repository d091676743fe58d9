package io.arca.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Arca's tar against GNU tar, both ways. */
class TarInteropIT {
    @TempDir
    Path dir;

    @Test
    void gnuTarReadsWhatArcaWrites() throws Exception {
        Path tar = dir.resolve("a.tar");
        Files.write(tar, TarFormatTest.archive(TarFormatTest.members(), TarFormatTest.contents()));

        List<String> names = FilesSourceIT.shell("tar -tf '" + tar + "'").lines().toList();
        assertThat(names).containsExactlyElementsOf(TarFormatTest.members().stream()
                .map(e -> e.type() == TarEntry.Type.DIRECTORY ? e.name() + "/" : e.name()).toList());

        Path out = Files.createDirectories(dir.resolve("out"));
        FilesSourceIT.shell("tar -xpf '" + tar + "' -C '" + out + "'");
        TarFormatTest.contents().forEach((name, data) -> assertThat(out.resolve(name)).hasBinaryContent(data));
        TarEntry unicode = TarFormatTest.members().get(3);
        Path u = out.resolve(unicode.name());
        assertThat(Files.getAttribute(u, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0100000 | (FileTrees.ROOT
                ? 04755 : 0755));
        assertThat(((FileTime) Files.getAttribute(u, "lastModifiedTime")).toMillis()).isEqualTo(-86_400_000L);
        if (FileTrees.ROOT) {
            assertThat(Files.getAttribute(u, "unix:uid")).isEqualTo(3_000_000);
        }
        TarEntry link = TarFormatTest.members().get(4);
        assertThat(Files.readSymbolicLink(out.resolve(link.name())).toString()).isEqualTo(link.linkTarget());
        assertThat(Files.getAttribute(out.resolve("app/empty"), "unix:mode")).isEqualTo(040000 | 01777);
        // GNU tar's verbose listing shows what the pax records carry
        assertThat(FilesSourceIT.shell("tar -tvf '" + tar + "'"))
                .contains("a-user-name-that-is-longer-than-31-bytes/grüppe");
    }

    /** GNU tar's pax format, and its own (long names in 'L' members, big numbers in base 256). */
    @ParameterizedTest
    @ValueSource(strings = {"pax", "gnu"})
    void arcaReadsWhatGnuTarWrites(String format) throws Exception {
        Path app = FileTrees.application(dir);
        Path tar = dir.resolve("g.tar");
        FilesSourceIT.shell("tar --format=" + format + " --sort=name -cf '" + tar + "' -C '" + app + "' secrets .env"
                + " 2>&1 | grep -v 'socket ignored' || true");

        Map<String, String> read = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar)) {
            TarReader reader = new TarReader(in);
            TarEntry e;
            while ((e = reader.next()) != null) {
                String content = e.type() == TarEntry.Type.FILE ? FileTrees.sha256(reader.content().readAllBytes())
                        : e.type() == TarEntry.Type.SYMLINK ? e.linkTarget() : "";
                read.put(e.name(), e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.mtime() + " " + content);
            }
            reader.finish();
        }

        Map<String, String> expected = new TreeMap<>();
        for (String root : List.of("secrets", ".env")) {
            FileTrees.snapshot(app.resolve(root)).forEach((name, item) -> expected.put(name, switch (item.type()) {
                case "file" -> "FILE";
                case "dir" -> "DIRECTORY";
                default -> "SYMLINK";
            } + " " + item.mode() + " " + item.mtime() + " " + item.content()));
        }
        // GNU tar stores FIFOs (the snapshot leaves them out, as Arca does)
        List<String> extra = new ArrayList<>(read.keySet());
        extra.removeAll(expected.keySet());
        assertThat(extra).containsExactly("secrets/events.fifo");
        read.remove("secrets/events.fifo");
        assertThat(read).isEqualTo(expected);
    }
}
