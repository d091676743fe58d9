package io.arca.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks a restore makes of the manifest's list before it trusts a single name. */
class ArchiveCheckTest {
    private static final String SHA = "a".repeat(64);

    private static FilesDetails.Entry dir(String name) {
        return new FilesDetails.Entry(name, "dir", 0, "0755", 0, 0, "", "", Instant.EPOCH, null, null);
    }

    private static FilesDetails.Entry file(String name) {
        return new FilesDetails.Entry(name, "file", 1, "0644", 0, 0, "", "", Instant.EPOCH, null, SHA);
    }

    private static FilesDetails.Entry link(String name, String target) {
        return new FilesDetails.Entry(name, "symlink", 0, "0777", 0, 0, "", "", Instant.EPOCH, target, null);
    }

    private static List<String> unsafe(FilesDetails.Entry... extra) {
        List<FilesDetails.Entry> entries = new ArrayList<>(List.of(dir("secrets"), file("secrets/a")));
        entries.addAll(List.of(extra));
        return ArchiveCheck.unsafe(new FilesDetails("/srv/secrets", "secrets", entries, List.of()));
    }

    @Test
    void aSoundListHasNoProblems() {
        assertThat(unsafe(dir("secrets/d"), file("secrets/d/b"), link("secrets/l", "/etc/passwd"),
                link("secrets/up", "../../outside"))).isEmpty();
    }

    @Test
    void namesThatCouldLeaveTheTargetAreRefused() {
        for (String name : List.of("secrets/../x", "/etc/passwd", "secrets//x", "secrets/./x", "secrets/x/", "..",
                "secrets/\0x", "")) {
            assertThat(unsafe(file(name))).as(name).containsExactly("entry '" + name + "' has a name that is not safe to"
                    + " restore");
        }
    }

    @Test
    void membersOutsideTheRootOrUnderALinkAreRefused() {
        assertThat(unsafe(file("other/x"))).containsExactly("entry 'other/x' is not under the root 'secrets'");
        assertThat(unsafe(link("secrets/l", "/etc"), file("secrets/l/passwd"))).containsExactly(
                "entry 'secrets/l/passwd' comes before its directory, or its parent is not a directory");
        assertThat(unsafe(file("secrets/d/x"), dir("secrets/d"))).containsExactly(
                "entry 'secrets/d/x' comes before its directory, or its parent is not a directory");
        assertThat(unsafe(file("secrets/a"))).containsExactly("entry 'secrets/a' is listed twice");
    }

    @Test
    void oddTypesModesAndMissingDigestsAreRefused() {
        assertThat(unsafe(new FilesDetails.Entry("secrets/f", "fifo", 0, "0644", 0, 0, "", "", Instant.EPOCH, null,
                null))).containsExactly("entry 'secrets/f' has the unknown type 'fifo'");
        assertThat(unsafe(new FilesDetails.Entry("secrets/f", "file", 0, "rw-", 0, 0, "", "", Instant.EPOCH, null,
                SHA))).containsExactly("entry 'secrets/f' has the mode 'rw-'");
        assertThat(unsafe(new FilesDetails.Entry("secrets/f", "file", 0, "0644", 0, 0, "", "", Instant.EPOCH, null,
                null))).containsExactly("entry 'secrets/f' has no sha-256");
        assertThat(unsafe(link("secrets/l", ""))).containsExactly("entry 'secrets/l' is a link without a target");
    }

    @Test
    void theRootMustBeAPlainName() {
        assertThat(ArchiveCheck.unsafe(new FilesDetails("/x", "../x", List.of(dir("../x")), List.of())))
                .containsExactly("the root name '../x' is not a plain file name");
        assertThat(ArchiveCheck.unsafe(new FilesDetails("/x", "x", List.of(dir("y")), List.of())))
                .containsExactly("entry 'y' is not the root 'x'");
    }
}
