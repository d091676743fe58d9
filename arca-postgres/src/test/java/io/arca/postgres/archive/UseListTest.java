package io.arca.postgres.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The entries of a table or schema restore, chosen from the TOC of a real {@code pg_dump} 15
 * archive ({@code tables.dump}, made from {@code tables.sql} beside it): users with a serial key,
 * a unique email, a foreign key to accounts, foreign keys from orders, events and users_audit, a
 * trigger calling touch(), an index, comments, a grant and a view; a partitioned events table
 * with an identity column; tickets with a free-standing sequence; and other.users.
 */
class UseListTest {
    private static ArchiveToc toc;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = UseListTest.class.getResourceAsStream("tables.dump")) {
            toc = ArchiveToc.read(in);
        }
    }

    /** {@code DESC schema tag} of each chosen entry, as pg_restore -l names them. */
    private static List<String> names(UseList list) {
        return list.entries().stream().map(e -> e.desc() + " " + (e.namespace() == null ? "-" : e.namespace()) + " "
                + e.tag()).toList();
    }

    /** A target that holds exactly the objects named {@code schema.tag} ({@code -.tag} for schemas). */
    private static TargetCatalog holding(String... objects) {
        Set<String> present = Set.of(objects);
        return e -> present.contains((e.namespace() == null ? "-" : e.namespace()) + "." + e.tag());
    }

    @Test
    void aTableIntoAnEmptyDatabaseComesWithItsKeysSequenceTriggerAndItsFunction() {
        UseList list = UseList.select(toc, List.of("public.users"), List.of(), TargetCatalog.EMPTY);
        assertThat(names(list)).containsExactlyInAnyOrder(
                "FUNCTION public touch()",
                "TABLE public users",
                "COMMENT public TABLE users",
                "COMMENT public COLUMN users.email",
                "ACL public TABLE users",
                "SEQUENCE public users_id_seq",
                "SEQUENCE OWNED BY public users_id_seq",
                "DEFAULT public users id",
                "TABLE DATA public users",
                "SEQUENCE SET public users_id_seq",
                "CONSTRAINT public users users_email_key",
                "CONSTRAINT public users users_pkey",
                "INDEX public users_created",
                "TRIGGER public users users_touch");
        // archive order, as pg_restore follows a use-list
        List<Integer> positions = list.entries().stream().map(e -> toc.entries().indexOf(e)).toList();
        assertThat(positions).isSorted();
        assertThat(list.text()).contains("; TABLE public users\n").startsWith(";");
    }

    @Test
    void foreignKeysAndViewsComeWhereTheirOtherSideIsInTheTarget() {
        TargetCatalog target = holding("public.users", "public.accounts", "public.orders", "public.users_audit",
                "public.events", "public.user_emails", "public.touch()", "public.ticket_seq");
        UseList list = UseList.select(toc, List.of("users"), List.of("public"), target);
        assertThat(names(list))
                .contains("FK CONSTRAINT public users users_account_id_fkey", "FK CONSTRAINT public orders orders_user_id_fkey",
                        "FK CONSTRAINT public events events_user_id_fkey",
                        "FK CONSTRAINT public users_audit users_audit_user_id_fkey", "VIEW public user_emails",
                        "TRIGGER public users users_touch")
                .doesNotContain("FUNCTION public touch()", "TABLE public orders", "TABLE public accounts",
                        "TABLE DATA public orders", "CONSTRAINT public accounts accounts_pkey", "TABLE other users");
        assertThat(list.roots()).extracting(TocEntry::tag).containsExactly("users");
    }

    @Test
    void foreignKeysWhoseOtherSideIsNowhereAreLeftOut() {
        UseList list = UseList.select(toc, List.of("public.users"), List.of(), holding("public.orders"));
        assertThat(names(list)).contains("FK CONSTRAINT public orders orders_user_id_fkey")
                .doesNotContain("FK CONSTRAINT public users users_account_id_fkey",
                        "FK CONSTRAINT public events events_user_id_fkey", "VIEW public user_emails");
    }

    @Test
    void aPartitionedTableComesWithItsPartitionsIdentityAndAttachedIndexes() {
        UseList list = UseList.select(toc, List.of("public.events"), List.of(), holding("public.users"));
        assertThat(names(list)).contains("TABLE public events", "TABLE public events_2026", "TABLE ATTACH public events_2026",
                "SEQUENCE public events_id_seq", "CONSTRAINT public events events_pkey",
                "CONSTRAINT public events_2026 events_2026_pkey", "INDEX public events_at",
                "INDEX ATTACH public events_2026_at_idx", "TABLE DATA public events_2026",
                "FK CONSTRAINT public events events_user_id_fkey");
    }

    @Test
    void aSharedSequenceIsRestoredOnlyWhereTheTargetLacksIt() {
        assertThat(names(UseList.select(toc, List.of("public.tickets"), List.of(), TargetCatalog.EMPTY)))
                .contains("SEQUENCE public ticket_seq", "SEQUENCE SET public ticket_seq", "TABLE public tickets");
        assertThat(names(UseList.select(toc, List.of("public.tickets"), List.of(), holding("public.ticket_seq"))))
                .doesNotContain("SEQUENCE public ticket_seq", "SEQUENCE SET public ticket_seq")
                .contains("TABLE public tickets", "TABLE DATA public tickets");
    }

    @Test
    void aSchemaComesWithItsSchemaEntryOnlyWhereTheTargetLacksIt() {
        assertThat(names(UseList.select(toc, List.of(), List.of("other"), TargetCatalog.EMPTY)))
                .containsExactly("SCHEMA - other", "TABLE other users", "TABLE DATA other users");
        assertThat(names(UseList.select(toc, List.of(), List.of("other"), holding("-.other"))))
                .containsExactly("TABLE other users", "TABLE DATA other users");
    }

    @Test
    void aNameNotInTheBackupListsCloseMatches() {
        assertThatThrownBy(() -> UseList.select(toc, List.of("user", "nosuchtable"), List.of(), TargetCatalog.EMPTY))
                .isInstanceOfSatisfying(UsageException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("the backup holds no table 'user' and no table 'nosuchtable'");
                    assertThat(e.hint()).startsWith("close matches in the backup: ").contains("public.users", "other.users");
                });
        assertThatThrownBy(() -> UseList.select(toc, List.of(), List.of("otehr"), TargetCatalog.EMPTY))
                .isInstanceOfSatisfying(UsageException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("the backup holds no schema 'otehr'");
                    assertThat(e.hint()).contains("other");
                });
    }

    @Test
    void aBareNameInTwoSchemasMustBeQualified() {
        assertThatThrownBy(() -> UseList.select(toc, List.of("users"), List.of(), TargetCatalog.EMPTY))
                .isInstanceOf(UsageException.class)
                .hasMessage("table name 'users' is in 2 schemas of the backup: other.users, public.users");
        assertThat(UseList.select(toc, List.of("users"), List.of("other"), TargetCatalog.EMPTY).roots())
                .extracting(TocEntry::namespace).containsExactly("other");
    }

    @Test
    void closeMatchesAreByEditDistanceAndSchema() {
        assertThat(UseList.closeMatches("custmers", List.of("app.customers", "app.orders", "x.customer")))
                .containsExactly("app.customers", "x.customer");
        assertThat(UseList.closeMatches("zzz", List.of("app.customers"))).isEmpty();
    }
}
