package io.arca.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.postgres.local.ClusterOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure side of the extension: missing PostgreSQL must fail loudly, never skip. */
class PostgresExtensionIT {

    @Test
    void missingServerProgramsFailWithAnInstallHint(@TempDir Path emptyBin) {
        PostgresExtension pg = new PostgresExtension(ClusterOptions.defaults().withBinDirectory(emptyBin));
        assertThatThrownBy(() -> pg.beforeAll(null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no initdb in '" + emptyBin + "'")
                .hasMessageContaining("apt-get install postgresql-15");
        assertThatThrownBy(pg::cluster).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@RegisterExtension");
    }

    @Test
    void missingMajorVersionNamesThatVersion() {
        PostgresExtension pg = new PostgresExtension(ClusterOptions.defaults().withMajor(99));
        assertThatThrownBy(() -> pg.beforeAll(null))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no initdb for PostgreSQL 99 found")
                .hasMessageContaining("apt-get install postgresql-99");
    }

    @Test
    void nestedClassesShareOneCluster() {
        PostgresExtension pg = new PostgresExtension();
        pg.beforeAll(null);
        try {
            var outer = pg.cluster();
            pg.beforeAll(null); // a @Nested class
            assertThat(pg.cluster()).isSameAs(outer);
            pg.afterAll(null);
            assertThat(pg.cluster()).isSameAs(outer);
            assertThat(pg.createDatabase("Nested")).isEqualTo("nested_1");
        } finally {
            pg.afterAll(null);
        }
        assertThatThrownBy(pg::cluster).isInstanceOf(IllegalStateException.class);
    }
}
