package io.arca.postgres.logical;

import io.arca.postgres.manifest.PostgresSection;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.manifest.PostgresSection.DatabaseInfo;
import io.arca.postgres.manifest.PostgresSection.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When replacing a database needs {@code --confirm-target}. */
class TargetDatabaseTest {

    static DatabaseInfo aeterna(List<TableInfo> tables) {
        return new DatabaseInfo("aeterna", "db:5432", "15.8", null, "UTF8", null, null, null, true, tables, null);
    }

    static final List<TableInfo> TABLES = List.of(new TableInfo("public", "customers", 50L),
            new TableInfo("public", "orders", 500L));

    static String why(DatabaseInfo db, String target, List<TableRef> tables) {
        return TargetDatabase.confirmationNeeded(db, "20261207T000000Z-0badcafe", target, tables);
    }

    @Test
    void sameNameAndSharedTablesNeedNoConfirmation() {
        assertThat(why(aeterna(TABLES), "aeterna", List.of(new TableRef("public", "orders"),
                new TableRef("public", "extra")))).isNull();
        // an empty target (no tables) is not another application's
        assertThat(why(aeterna(TABLES), "aeterna", List.of())).isNull();
    }

    @Test
    void anotherNameNeedsConfirmation() {
        assertThat(why(aeterna(TABLES), "eternia", List.of(new TableRef("public", "orders"))))
                .isEqualTo("backup '20261207T000000Z-0badcafe' is of database 'aeterna', not 'eternia'");
    }

    @Test
    void noneOfTheBackupsTablesNeedsConfirmationAndListsTheTargets() {
        List<TableRef> six = List.of(new TableRef("public", "a"), new TableRef("public", "b"), new TableRef("s", "c"),
                new TableRef("s", "d"), new TableRef("s", "e"), new TableRef("s", "f"));
        assertThat(why(aeterna(TABLES), "aeterna", six))
                .isEqualTo("none of the 6 table(s) in 'aeterna' (public.a, public.b, s.c, s.d, s.e, ...) is in the backup");
    }
}
