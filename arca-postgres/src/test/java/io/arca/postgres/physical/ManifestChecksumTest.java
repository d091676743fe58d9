package io.arca.postgres.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestChecksumTest {

    @Test
    void crc32cIsPrintedInLittleEndianByteOrderAsPostgresqlDoes() {
        // "15\n" is PG_VERSION of a PostgreSQL 15 cluster; its CRC-32C is 0x2247748A and real
        // backup_manifest files list it as "8a744722" (see ServerManifestIT for the real check).
        assertThat(hex("CRC32C", "15\n")).isEqualTo("8a744722");
        // the CRC-32C check value: 0xE3069283
        assertThat(hex("CRC32C", "123456789")).isEqualTo("839206e3");
        assertThat(hex("CRC32C", "")).isEqualTo("00000000");
    }

    @Test
    void shaVariantsArePlainDigests() {
        assertThat(hex("SHA256", "abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(hex("sha224", "abc")).isEqualTo("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
        assertThat(hex("SHA384", "abc")).startsWith("cb00753f45a35e8bb5a03d699ac65007");
        assertThat(hex("SHA512", "abc")).startsWith("ddaf35a193617abacc417349ae204131");
    }

    @Test
    void incrementalUpdatesEqualOneUpdate() {
        byte[] data = "the quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        for (String alg : new String[] {"CRC32C", "SHA256"}) {
            ManifestChecksum c = ManifestChecksum.of(alg);
            c.update(data, 0, 10);
            c.update(data, 10, data.length - 10);
            assertThat(c.hex()).isEqualTo(hex(alg, new String(data, StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void noneHasNoValueAndUnknownAlgorithmsAreRefused() {
        assertThat(ManifestChecksum.of("NONE").hex()).isNull();
        assertThat(ManifestChecksum.isKnown("crc32c")).isTrue();
        assertThat(ManifestChecksum.isKnown("MD5")).isFalse();
        assertThatThrownBy(() -> ManifestChecksum.of("MD5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'MD5'");
    }

    private static String hex(String algorithm, String text) {
        ManifestChecksum c = ManifestChecksum.of(algorithm);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        c.update(b, 0, b.length);
        return c.hex();
    }
}
