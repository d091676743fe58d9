package io.arca.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.storage.ReadRange;
import io.arca.core.storage.WriteOptions;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SeekPointTest {
    private static final String KEY = "backups/2026/02/21/20260221T020000Z-a1/db.dump";

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void eachSeekPointDecodesExactlyItsSegment(CodecSpec spec) throws Exception {
        long seed = TestData.seed("eachSeekPointDecodesExactlyItsSegment " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));

        for (int i = 0; i < artifact.segments().size(); i++) {
            SeekPoint point = artifact.points().get(i);
            byte[] segment = artifact.segments().get(i);
            try (InputStream in = ArtifactInput.openAt(storage, KEY, spec.codec(), point, segment.length)) {
                assertThat(TestData.readAll(in)).as("segment %d, seed %d", i, seed).isEqualTo(segment);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void wholeArtifactOfManyFramesDecodesAndVerifies(CodecSpec spec) throws Exception {
        long seed = TestData.seed("wholeArtifactOfManyFramesDecodesAndVerifies " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));

        assertThat(artifact.digest().sha256()).isEqualTo(TestData.sha256(artifact.plain()));
        try (InputStream in = ArtifactInput.open(storage, KEY, spec.codec(), artifact.digest())) {
            assertThat(TestData.readAll(in)).as("seed %d", seed).isEqualTo(artifact.plain());
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void seekPointToEndDecodesTheRestAndReadsFromItsStoredOffset(CodecSpec spec) throws Exception {
        long seed = TestData.seed("seekPointToEndDecodesTheRest " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));

        for (SeekPoint point : artifact.points()) {
            try (InputStream in = ArtifactInput.openAt(storage, KEY, spec.codec(), point, ReadRange.TO_END)) {
                byte[] rest = Arrays.copyOfRange(artifact.plain(), (int) point.offset(), artifact.plain().length);
                assertThat(TestData.readAll(in)).as("from %s, seed %d", point, seed).isEqualTo(rest);
            }
            assertThat(storage.reads()).last().isEqualTo(ReadRange.from(point.encodedOffset()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void seekPointsRecordPlainAndStoredOffsets(CodecSpec spec) throws Exception {
        long seed = TestData.seed("seekPointsRecordPlainAndStoredOffsets " + spec);
        MemoryStorage storage = new MemoryStorage();
        List<byte[]> segments = Artifacts.segments(seed);
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, segments);

        List<SeekPoint> points = artifact.points();
        assertThat(points.get(0)).isEqualTo(new SeekPoint("data:0", 0, 0));
        long plainOffset = 0;
        for (int i = 0; i < points.size(); i++) {
            assertThat(points.get(i).offset()).isEqualTo(plainOffset);
            assertThat(points.get(i).encodedOffset()).isBetween(0L, artifact.digest().storedSize());
            if (i > 0) {
                assertThat(points.get(i).encodedOffset()).isGreaterThanOrEqualTo(points.get(i - 1).encodedOffset());
            }
            if (segments.get(i).length == 0 && i + 1 < points.size()) {
                assertThat(points.get(i + 1).encodedOffset()).as("an empty segment adds no empty frame")
                        .isEqualTo(points.get(i).encodedOffset());
            }
            plainOffset += segments.get(i).length;
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void seekPointAtTheVeryEndYieldsNothing(CodecSpec spec) throws Exception {
        MemoryStorage storage = new MemoryStorage();
        SeekPoint end;
        try (ArtifactOutput out = ArtifactOutput.open(storage.openWrite(KEY, WriteOptions.DEFAULT), spec)) {
            out.write(new byte[] {1, 2, 3});
            end = out.markSeekPoint("end");
            out.finish();
        }
        assertThat(end.encodedOffset()).isEqualTo(storage.bytes(KEY).length);
        try (InputStream in = ArtifactInput.openAt(storage, KEY, spec.codec(), end, ReadRange.TO_END)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @MethodSource("io.arca.core.pipeline.Artifacts#allSpecs")
    void segmentLongerThanTheArtifactIsReportedAsCorrupt(CodecSpec spec) throws Exception {
        long seed = TestData.seed("segmentLongerThanTheArtifact " + spec);
        MemoryStorage storage = new MemoryStorage();
        Artifacts.Segmented artifact = Artifacts.writeSegments(storage, KEY, spec, Artifacts.segments(seed));
        SeekPoint last = artifact.points().get(artifact.points().size() - 1);

        assertThatThrownBy(() -> TestData.readAll(ArtifactInput.openAt(storage, KEY, spec.codec(), last, 1000)))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED))
                .hasMessageContaining("'" + KEY + "'")
                .hasMessageContaining("'data:7'");
    }
}
