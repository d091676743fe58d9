package io.arca.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeDocTest {

    @Test
    void docsExitCodesMatchesTheEnum() throws IOException {
        Path doc = Path.of("..", "docs", "exit-codes.md");
        assertThat(doc).as("docs/exit-codes.md must exist; its content is ErrorCode.markdown()").exists();
        String actual = Files.readString(doc, StandardCharsets.UTF_8);
        assertThat(actual)
                .as("docs/exit-codes.md is out of date: replace it with ErrorCode.markdown()")
                .isEqualTo(ErrorCode.markdown());
    }

    @Test
    void numbersAreUniqueAndExitCodesFollowTheDesign() {
        Set<Integer> numbers = new HashSet<>();
        Set<Integer> allowedExits = Set.of(1, 2, 3, 10, 11, 12, 13, 14, 15);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(numbers.add(c.number())).as("number of %s is unique", c).isTrue();
            assertThat(allowedExits).as("exit code of %s", c).contains(c.exitCode());
            assertThat(c.description()).as("description of %s", c).isNotBlank();
        }
        assertThat(ErrorCode.REPOSITORY_NOT_FOUND.exitCode()).isEqualTo(10);
        assertThat(ErrorCode.LOCK_HELD.exitCode()).isEqualTo(11);
        assertThat(ErrorCode.KEY.exitCode()).isEqualTo(12);
        assertThat(ErrorCode.STORAGE_ACCESS.exitCode()).isEqualTo(13);
        assertThat(ErrorCode.PG_CONNECTION.exitCode()).isEqualTo(14);
        assertThat(ErrorCode.VERIFICATION_FAILED.exitCode()).isEqualTo(15);
        assertThat(ErrorCode.USAGE.exitCode()).isEqualTo(2);
    }
}
