package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodecSpecTest {

    @Test
    void parsesCodecAndLevel() {
        assertThat(CodecSpec.parse("zstd")).extracting(CodecSpec::codec, CodecSpec::level)
                .containsExactly(Codec.ZSTD, 3);
        assertThat(CodecSpec.parse(" ZSTD:19 ")).extracting(CodecSpec::codec, CodecSpec::level)
                .containsExactly(Codec.ZSTD, 19);
        assertThat(CodecSpec.parse("gzip:1").toString()).isEqualTo("gzip:1");
        assertThat(CodecSpec.parse("lz4").level()).isEqualTo(1);
        assertThat(CodecSpec.parse("none").toString()).isEqualTo("none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd:0", "zstd:23", "gzip:0", "gzip:10", "lz4:18", "none:1", "zstd:x", "brotli"})
    void rejectsWhatTheCodecCannotDo(String text) {
        assertThatThrownBy(() -> CodecSpec.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNegativeWorkers() {
        assertThatThrownBy(() -> new CodecSpec(Codec.ZSTD, 3, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers");
    }

    @Test
    void serverDataIsZstdAtLevelOneWhateverTheRepositoryLevelAndOtherCodecsStayAsTheyAre() {
        assertThat(new CodecSpec(Codec.ZSTD, 3, 4).forServerData()).isEqualTo(new CodecSpec(Codec.ZSTD, 1, 4));
        assertThat(new CodecSpec(Codec.ZSTD, 19, 1).forServerData()).isEqualTo(new CodecSpec(Codec.ZSTD, 1, 1));
        assertThat(CodecSpec.parse("gzip:6").forServerData()).isEqualTo(CodecSpec.parse("gzip:6"));
        assertThat(CodecSpec.parse("lz4").forServerData()).isEqualTo(CodecSpec.parse("lz4"));
        assertThat(CodecSpec.parse("none").forServerData()).isEqualTo(CodecSpec.parse("none"));
    }
}
