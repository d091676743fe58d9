package io.arca.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TarWriter} and {@link TarReader} with each other; GNU tar is {@code TarInteropIT}'s. */
class TarFormatTest {
    /** Members that need every kind of header: plain ustar, long and non-ASCII names, big ids, old times. */
    static List<TarEntry> members() {
        String longName = "app/" + "a-rather-long-directory-name/".repeat(5) + "file.txt";
        return List.of(
                new TarEntry("app", TarEntry.Type.DIRECTORY, 0750, 0, 0, "root", "root", 0, 1_600_000_000L, ""),
                new TarEntry("app/plain.txt", TarEntry.Type.FILE, 0644, 1000, 1000, "alice", "staff", 11,
                        1_600_000_001L, ""),
                new TarEntry(longName, TarEntry.Type.FILE, 0600, 0, 0, "", "", 5, 1_600_000_002L, ""),
                new TarEntry("app/grüße-ünïcode.txt", TarEntry.Type.FILE, 04755, 3_000_000, 4_000_000_000L,
                        "a-user-name-that-is-longer-than-31-bytes", "grüppe", 3, -86_400L, ""),
                new TarEntry("app/link", TarEntry.Type.SYMLINK, 0777, 0, 0, "root", "root", 0, 1_600_000_003L,
                        "/" + "far/away/".repeat(20) + "target"),
                new TarEntry("app/empty", TarEntry.Type.DIRECTORY, 01777, 0, 0, "root", "root", 0, 1_600_000_004L, ""));
    }

    static Map<String, byte[]> contents() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("app/plain.txt", "hello world".getBytes(StandardCharsets.UTF_8));
        c.put(members().get(2).name(), "12345".getBytes(StandardCharsets.UTF_8));
        c.put("app/grüße-ünïcode.txt", "abc".getBytes(StandardCharsets.UTF_8));
        return c;
    }

    static byte[] archive(List<TarEntry> members, Map<String, byte[]> contents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        for (TarEntry e : members) {
            tar.putEntry(e);
            byte[] data = contents.get(e.name());
            if (data != null) {
                tar.write(data, 0, data.length);
            }
            tar.closeEntry();
        }
        tar.finish();
        return out.toByteArray();
    }

    @Test
    void whatTheWriterWritesTheReaderReadsBack() throws IOException {
        byte[] tar = archive(members(), contents());
        assertThat(tar.length % 512).isZero();

        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> read = new ArrayList<>();
        Map<String, byte[]> content = new LinkedHashMap<>();
        TarEntry e;
        while ((e = reader.next()) != null) {
            read.add(e);
            byte[] data = reader.content().readAllBytes();
            if (data.length > 0) {
                content.put(e.name(), data);
            }
        }
        reader.finish();

        assertThat(read).isEqualTo(members());
        assertThat(content).containsOnlyKeys(contents().keySet());
        contents().forEach((name, data) -> assertThat(content.get(name)).isEqualTo(data));
    }

    @Test
    void unreadContentIsSkipped() throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(archive(members(), contents())));
        List<String> names = new ArrayList<>();
        TarEntry e;
        while ((e = reader.next()) != null) {
            names.add(e.name());
        }
        reader.finish();
        assertThat(names).isEqualTo(members().stream().map(TarEntry::name).toList());
    }

    /** Record lengths count their own digits: around 9/10 and 99/100 bytes the count gains a digit. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 990, 991, 992, 993, 994,
            995, 996, 997})
    void paxRecordLengthsCountThemselves(int valueLength) {
        String value = "x".repeat(valueLength);
        String record = new String(TarWriter.paxRecords(Map.of("path", value)), StandardCharsets.UTF_8);
        int space = record.indexOf(' ');
        assertThat(Integer.parseInt(record.substring(0, space))).isEqualTo(record.getBytes(StandardCharsets.UTF_8).length);
        assertThat(record).endsWith(" path=" + value + "\n");
    }

    @Test
    void aDamagedHeaderIsAFormatError() throws IOException {
        byte[] tar = archive(members(), contents());
        tar[512 + 5] ^= 0x01; // the second member's name
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        assertThatThrownBy(() -> {
            while (reader.next() != null) {
                reader.content().readAllBytes();
            }
        }).isInstanceOf(TarReader.FormatException.class).hasMessage("the header at byte 512 has a wrong checksum"
                + " (not a tar, or damaged)");
    }

    @Test
    void aTruncatedArchiveIsAFormatError() throws IOException {
        byte[] tar = archive(members(), contents());
        byte[] cut = java.util.Arrays.copyOf(tar, 512 * 3 + 100);
        TarReader reader = new TarReader(new ByteArrayInputStream(cut));
        assertThatThrownBy(() -> {
            while (reader.next() != null) {
                reader.content().readAllBytes();
            }
        }).isInstanceOf(TarReader.FormatException.class).hasMessageContaining("the archive ends at byte");
    }

    @Test
    void somethingAfterTheEndIsAFormatError() throws IOException {
        byte[] tar = archive(members(), contents());
        byte[] longer = java.util.Arrays.copyOf(tar, tar.length + 512);
        longer[tar.length + 7] = 1;
        TarReader reader = new TarReader(new ByteArrayInputStream(longer));
        while (reader.next() != null) {
            reader.content().readAllBytes();
        }
        assertThatThrownBy(reader::finish).isInstanceOf(TarReader.FormatException.class)
                .hasMessageContaining("data after the end of the archive");
    }

    @Test
    void modesReadLikeLs() {
        assertThat(FileModes.symbolic(0600)).isEqualTo("rw-------");
        assertThat(FileModes.symbolic(04755)).isEqualTo("rwsr-xr-x");
        assertThat(FileModes.symbolic(02750)).isEqualTo("rwxr-s---");
        assertThat(FileModes.symbolic(01777)).isEqualTo("rwxrwxrwt");
        assertThat(FileModes.symbolic(01644)).isEqualTo("rw-r--r-T");
        assertThat(FileModes.symbolic(04644)).isEqualTo("rwSr--r--");
    }
}
