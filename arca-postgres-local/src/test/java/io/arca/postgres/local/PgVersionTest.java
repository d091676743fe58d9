package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PgVersionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)|15|18",
        "psql (PostgreSQL) 16.4|16|4",
        "postgres (PostgreSQL) 17devel|17|0",
        "pg_restore (PostgreSQL) 16beta2|16|0",
        "pg_dump (PostgreSQL) 9.6.24|9|6",
        "initdb (PostgreSQL) 18.1 (Ubuntu 18.1-1.pgdg24.04+1)|18|1",
    })
    void parsesVersionOutput(String output, int major, int minor) {
        assertThat(PgVersion.parseVersionOutput(output)).isEqualTo(new PgVersion(major, minor));
    }

    @Test
    void rejectsOtherOutput() {
        assertThatThrownBy(() -> PgVersion.parseVersionOutput("mysqldump  Ver 10.19 Distrib 10.11.6-MariaDB"))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND))
                .hasMessage("not a PostgreSQL version: 'mysqldump  Ver 10.19 Distrib 10.11.6-MariaDB'");
    }

    @ParameterizedTest
    @CsvSource({"150018,15,18", "160000,16,0", "100023,10,23", "90624,9,6", "180001,18,1"})
    void parsesServerVersionNum(int num, int major, int minor) {
        assertThat(PgVersion.fromServerVersionNum(num)).isEqualTo(new PgVersion(major, minor));
        assertThat(PgVersion.fromServerVersionNum(" " + num + " ")).isEqualTo(new PgVersion(major, minor));
    }

    @Test
    void ordersByMajorThenMinorAndPrints() {
        assertThat(new PgVersion(15, 18)).isGreaterThan(new PgVersion(15, 2)).isLessThan(new PgVersion(16, 0));
        assertThat(new PgVersion(10, 0)).isGreaterThan(new PgVersion(9, 6));
        assertThat(new PgVersion(15, 18)).hasToString("15.18");
        assertThatThrownBy(() -> PgVersion.fromServerVersionNum("abc")).isInstanceOf(IllegalArgumentException.class);
    }
}
