package io.arca.postgres.logical;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.logical.GlobalsScript.Kind;
import io.arca.postgres.logical.GlobalsScript.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statements of a {@code pg_dumpall --globals-only} script (PostgreSQL 15.18), classified by what they are about. */
class GlobalsScriptTest {
    private static final String SCRIPT = """
            --
            -- PostgreSQL database cluster dump
            --

            \\restrict 7EKT4eIa8wgAAa1DEAvy0Fv8eNzF1YfpPrTf1b6JuZpdYlvb032bLbECQMM5WqR

            SET default_transaction_read_only = off;

            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;

            --
            -- Roles
            --

            CREATE ROLE "Weird Name";
            ALTER ROLE "Weird Name" WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
            CREATE ROLE alice;
            ALTER ROLE alice WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD 'SCRAM-SHA-256$4096:x8Ww==$Tyv=:M73=';
            COMMENT ON ROLE alice IS 'Alice''s role; -- not a comment';
            CREATE ROLE postgres;
            ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;

            --
            -- User Config "alice"
            --

            ALTER ROLE alice SET work_mem TO '8MB';

            --
            -- Role memberships
            --

            GRANT readers TO "Weird Name" WITH ADMIN OPTION GRANTED BY postgres;
            GRANT readers TO alice GRANTED BY postgres;
            GRANT SET ON PARAMETER work_mem TO alice;

            --
            -- Tablespaces
            --

            CREATE TABLESPACE fast OWNER alice LOCATION '/tmp/tx/ts';
            GRANT ALL ON TABLESPACE fast TO alice;
            COMMENT ON TABLESPACE fast IS 'ssd';

            \\unrestrict 7EKT4eIa8wgAAa1DEAvy0Fv8eNzF1YfpPrTf1b6JuZpdYlvb032bLbECQMM5WqR

            --
            -- PostgreSQL database cluster dump complete
            --
            """;

    @Test
    void classifiesEachStatementByItsRoleOrTablespace() {
        List<Statement> s = GlobalsScript.parse(SCRIPT).statements();
        assertThat(s).extracting(Statement::kind).containsExactly(Kind.SETTING, Kind.SETTING, Kind.SETTING,
                Kind.ROLE, Kind.ROLE, Kind.ROLE, Kind.ROLE, Kind.ROLE, Kind.ROLE, Kind.ROLE, Kind.ROLE,
                Kind.MEMBERSHIP, Kind.MEMBERSHIP, Kind.ROLE, Kind.TABLESPACE, Kind.TABLESPACE, Kind.TABLESPACE);
        assertThat(s).extracting(Statement::name).containsExactly(null, null, null, "Weird Name", "Weird Name", "alice",
                "alice", "alice", "postgres", "postgres", "alice", "readers", "readers", "alice", "fast", "fast", "fast");
        assertThat(s.get(11).member()).isEqualTo("Weird Name");
        assertThat(s.get(12).member()).isEqualTo("alice");
        assertThat(s).filteredOn(Statement::creates).extracting(Statement::sql).containsExactly(
                "CREATE ROLE \"Weird Name\"", "CREATE ROLE alice", "CREATE ROLE postgres",
                "CREATE TABLESPACE fast OWNER alice LOCATION '/tmp/tx/ts'");
        assertThat(s.get(7).sql()).isEqualTo("COMMENT ON ROLE alice IS 'Alice''s role; -- not a comment'");
        assertThat(s.get(6).sql()).endsWith("PASSWORD 'SCRAM-SHA-256$4096:x8Ww==$Tyv=:M73='");
    }

    @Test
    void unknownStatementsAreOtherAndQuotedSemicolonsDoNotSplit() {
        List<Statement> s = GlobalsScript.parse("CREATE ROLE a;\nDO $x$ begin perform 1; end $x$;\n"
                + "ALTER ROLE \"say \"\"hi\"\";\" SET search_path TO 'a;b';").statements();
        assertThat(s).extracting(Statement::kind).containsExactly(Kind.ROLE, Kind.OTHER, Kind.ROLE);
        assertThat(s.get(2).name()).isEqualTo("say \"hi\";");
        assertThat(s.get(1).sql()).isEqualTo("DO $x$ begin perform 1; end $x$");
    }
}
