package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TarWriterTest {

    @Test
    void membersReadBackAsWritten() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(bytes);
        String longName = "base/16384/" + "d".repeat(60) + "/" + "f".repeat(90);
        tar.directory("base", 0700, 999, 999, 1_700_000_000L);
        tar.symlink("pg_wal", "/elsewhere/wal", 0777, 999, 999, 1_700_000_001L);
        byte[] content = "hello, tar".getBytes(StandardCharsets.UTF_8);
        tar.fileHeader(longName, content.length, 0600, 999, 999, 1_700_000_002L);
        tar.content(content, 0, 5);
        tar.content(content, 5, content.length - 5);
        tar.pad();
        tar.file("backup_label", "LABEL: x\n".getBytes(StandardCharsets.UTF_8), 0600, 1_700_000_003L);
        tar.finish();
        assertThat(tar.position()).isEqualTo(bytes.size()).isEqualTo(8 * TarWriter.BLOCK);

        try (TarReader reader = new TarReader(new ByteArrayInputStream(bytes.toByteArray()))) {
            TarEntry dir = reader.next();
            assertThat(dir.name()).isEqualTo("base");
            assertThat(dir.type()).isEqualTo(TarEntry.Type.DIRECTORY);
            assertThat(dir.mode()).isEqualTo(0700);
            assertThat(dir.modified().getEpochSecond()).isEqualTo(1_700_000_000L);
            TarEntry link = reader.next();
            assertThat(link.type()).isEqualTo(TarEntry.Type.SYMLINK);
            assertThat(link.name()).isEqualTo("pg_wal");
            assertThat(link.linkTarget()).isEqualTo("/elsewhere/wal");
            TarEntry file = reader.next();
            assertThat(file.name()).isEqualTo(longName);
            assertThat(file.size()).isEqualTo(content.length);
            assertThat(file.mode()).isEqualTo(0600);
            assertThat(reader.content().readAllBytes()).isEqualTo(content);
            TarEntry label = reader.next();
            assertThat(label.name()).isEqualTo("backup_label");
            assertThat(new String(reader.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("LABEL: x\n");
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void aNameThatCannotBeSplitIsRefused() {
        TarWriter tar = new TarWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> tar.fileHeader("x".repeat(120), 0, 0600, 0, 0, 0))
                .isInstanceOf(IOException.class).hasMessageContaining("too long");
    }
}
