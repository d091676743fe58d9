package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.storage.WriteOptions;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactOutputTest {
    private static final String KEY = "backups/2026/02/21/20260221T020000Z-a1/db.dump";

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void closeWithoutFinishAbortsAndCommitsNothing(CodecSpec spec) throws Exception {
        long seed = TestData.seed("closeWithoutFinishAborts " + spec);
        MemoryStorage storage = new MemoryStorage();
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(KEY, WriteOptions.DEFAULT), spec)) {
            out.write(TestData.mixed(seed, 3 * TestData.MIB));
            out.markSeekPoint("data:1");
            out.write(TestData.mixed(seed + 1, 1000));
        }
        assertThat(storage.list("")).isEmpty();
        assertThat(storage.aborted()).containsExactly(KEY);
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void finishCommitsAndCloseKeepsTheObject(CodecSpec spec) throws Exception {
        MemoryStorage storage = new MemoryStorage();
        ArtifactDigest digest;
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(KEY, WriteOptions.DEFAULT), spec)) {
            out.write(new byte[] {1, 2, 3});
            digest = out.finish();
            assertThat(out.size()).isEqualTo(3);
            assertThat(out.storedSize()).isEqualTo(digest.storedSize());
        }
        assertThat(storage.aborted()).isEmpty();
        assertThat(storage.bytes(KEY)).hasSize((int) digest.storedSize());
    }

    @Test
    void usingAFinishedOutputIsAnError() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(KEY, WriteOptions.DEFAULT),
                CodecSpec.parse("zstd"))) {
            out.finish();
            assertThatThrownBy(() -> out.write(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished");
            assertThatThrownBy(() -> out.markSeekPoint("x")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(out::finish).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void failedStoreWriteLeavesTheOutputToBeAborted(CodecSpec spec) throws Exception {
        long seed = TestData.seed("failedStoreWriteLeavesTheOutputToBeAborted " + spec);
        CountingWriter writer = new CountingWriter(100_000);
        try (ArtifactOutput out = ArtifactOutput.open(writer, spec)) {
            assertThatThrownBy(() -> {
                out.write(TestData.mixed(seed, 4 * TestData.MIB));
                out.finish();
            }).isInstanceOf(IOException.class).hasMessage("disk full");
            assertThatThrownBy(out::finish).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("failed earlier");
        }
        assertThat(writer.committed()).isFalse();
        assertThat(writer.aborted()).isTrue();
    }

    @Test
    void invalidCodecSpecAbortsTheTarget() {
        CountingWriter writer = new CountingWriter(-1);
        assertThatThrownBy(() -> ArtifactOutput.open(writer, null)).isInstanceOf(NullPointerException.class);
        assertThat(writer.aborted()).isTrue();
    }
}
