package io.arca.postgres.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {

    @TempDir
    Path dir;

    /** A script that answers --version like PostgreSQL's programs do. */
    private Path fake(String subdir, String program, String version) throws IOException {
        Path d = Files.createDirectories(dir.resolve(subdir));
        Path p = d.resolve(program);
        Files.writeString(p, "#!/bin/sh\necho '" + program + " (PostgreSQL) " + version + " (Fake)'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private PgBinaries only(List<Path> explicit, Path... pathDirs) {
        StringBuilder path = new StringBuilder();
        for (Path p : pathDirs) {
            path.append(path.length() == 0 ? "" : ":").append(p);
        }
        return PgBinaries.discover(explicit, path.toString(), dir.resolve("no-such-root"));
    }

    @Test
    void findsTheInstalledPgDump15() {
        PgBinaries bins = PgBinaries.discover(List.of());
        Path pgDump = bins.require("pg_dump", 15);
        assertThat(bins.versionOf(pgDump).major()).isEqualTo(15);
        assertThat(bins.find("pg_dump")).isNotEmpty()
                .allSatisfy(c -> assertThat(c.path().getFileName()).hasToString("pg_dump"));
        assertThat(bins.require("pg_dump", 12)).isEqualTo(pgDump); // a newer client serves an older server
        assertThat(bins.versionOf(bins.require("initdb", 15)).major()).isEqualTo(15);
    }

    @Test
    void noFittingVersionIsToolNotFoundNamingWhatWasFound() {
        PgBinaries bins = PgBinaries.discover(List.of());
        List<PgBinaries.Candidate> found = bins.find("pg_dump");
        assertThatThrownBy(() -> bins.require("pg_dump", 99))
                .isInstanceOfSatisfying(ArcaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("no pg_dump for PostgreSQL 99 found (found pg_dump 15.")
                            .contains("at '" + found.get(0).path() + "'")
                            .endsWith("')");
                    assertThat(e.hint()).isEqualTo("install the PostgreSQL 99 client tools (Debian: apt-get install "
                            + "postgresql-client-99) or pass --pg-bin DIR");
                });
        assertThatThrownBy(() -> bins.require("initdb", 99))
                .isInstanceOfSatisfying(ArcaException.class,
                        e -> assertThat(e.hint()).contains("apt-get install postgresql-99"));
    }

    @Test
    void messageFormWithOneCandidate() throws IOException {
        Path p = fake("a", "pg_dump", "15.18");
        assertThatThrownBy(() -> only(List.of(), p.getParent()).require("pg_dump", 16))
                .hasMessage("no pg_dump for PostgreSQL 16 found (found pg_dump 15.18 at '" + p + "')");
        assertThatThrownBy(() -> only(List.of(), p.getParent()).require("pg_restore", 16))
                .hasMessageStartingWith("no pg_restore for PostgreSQL 16 found (searched PATH and ");
    }

    @Test
    void clientsPreferTheSameMajorElseTheLowestHigher() throws IOException {
        Path v15 = fake("v15", "pg_dump", "15.18");
        Path v17 = fake("v17", "pg_dump", "17.2");
        Path v16 = fake("v16", "pg_dump", "16.6");
        PgBinaries bins = only(List.of(), v17.getParent(), v15.getParent(), v16.getParent());
        assertThat(bins.require("pg_dump", 16)).isEqualTo(v16);
        assertThat(bins.require("pg_dump", 14)).isEqualTo(v15);
        assertThat(bins.require("pg_dump", 17)).isEqualTo(v17);
        assertThat(bins.requireNewest("pg_dump")).isEqualTo(v17);
        assertThatThrownBy(() -> bins.require("pg_dump", 18)).isInstanceOf(ArcaException.class);
    }

    @Test
    void serverProgramsNeedTheExactMajor() throws IOException {
        Path v16 = fake("s16", "initdb", "16.6");
        PgBinaries bins = only(List.of(), v16.getParent());
        assertThat(bins.require("initdb", 16)).isEqualTo(v16);
        assertThatThrownBy(() -> bins.require("initdb", 15))
                .hasMessage("no initdb for PostgreSQL 15 found (found initdb 16.6 at '" + v16 + "')");
    }

    @Test
    void explicitDirectoriesWinWhenTheirProgramFits() throws IOException {
        Path onPath = fake("path15", "pg_dump", "15.3");
        Path explicit = fake("explicit16", "pg_dump", "16.1");
        PgBinaries bins = only(List.of(explicit.getParent()), onPath.getParent());
        assertThat(bins.require("pg_dump", 15)).isEqualTo(explicit);
        assertThat(bins.searchPath()).startsWith(explicit.getParent());
        Path old = fake("explicit14", "pg_dump", "14.9");
        assertThat(only(List.of(old.getParent()), onPath.getParent()).require("pg_dump", 15)).isEqualTo(onPath);
    }

    @Test
    void firstInSearchOrderWinsTiesAndJunkIsIgnored() throws IOException {
        Path first = fake("first", "psql", "15.1");
        Path second = fake("second", "psql", "15.9");
        Path junk = Files.createDirectories(dir.resolve("junk")).resolve("psql");
        Files.writeString(junk, "#!/bin/sh\necho 'something else 1.0'\n");
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rwxr-xr-x"));
        PgBinaries bins = only(List.of(), junk.getParent(), first.getParent(), second.getParent());
        assertThat(bins.find("psql")).extracting(PgBinaries.Candidate::path).containsExactly(first, second);
        assertThat(bins.require("psql", 15)).isEqualTo(first);
        assertThat(bins.requireNewest("psql")).isEqualTo(second);
        assertThatThrownBy(() -> bins.versionOf(junk)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOOL_NOT_FOUND));
    }

    @Test
    void versionedInstallRootIsSearched() throws IOException {
        Path p = fake("root/16/bin", "pg_restore", "16.2");
        PgBinaries bins = PgBinaries.discover(List.of(), "", dir.resolve("root"));
        assertThat(bins.require("pg_restore", 16)).isEqualTo(p);
    }

    @Test
    void missingExplicitDirectoryIsAUsageError() {
        assertThatThrownBy(() -> PgBinaries.discover(List.of(dir.resolve("nope"))))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE))
                .hasMessage("PostgreSQL program directory '" + dir.resolve("nope") + "' does not exist");
    }
}
