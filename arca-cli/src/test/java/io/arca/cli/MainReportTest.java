package io.arca.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** How the CLI renders each kind of failure: usage, Arca's own, local I/O, and bugs. */
class MainReportTest {

    private record Report(int exit, String err) {
    }

    private static Report report(Throwable e) {
        StringWriter err = new StringWriter();
        int exit = Main.report(e, false, new PrintWriter(err, true));
        return new Report(exit, err.toString());
    }

    @Test
    void usageErrorsExit2WithTheirHintOrAPointerToTheHelp() {
        Report withHint = report(new UsageException("ARCA_LEASE_TTL: '0s' is zero", "set it to 90s", null));
        assertThat(withHint.exit()).isEqualTo(2);
        assertThat(withHint.err()).isEqualTo("error: ARCA_LEASE_TTL: '0s' is zero\nhint: set it to 90s\n");
        Report without = report(new UsageException("Invalid value"));
        assertThat(without.err()).isEqualTo("error: invalid value\nhint: see 'arca --help'\n");
        StringWriter err = new StringWriter();
        Main.report(new UsageException("--jobs must be at least 1"), false, new PrintWriter(err, true), "arca backup");
        assertThat(err.toString()).isEqualTo("error: --jobs must be at least 1\nhint: see 'arca backup --help'\n");
    }

    @Test
    void anyOtherIllegalArgumentExceptionIsABugWithItsStackTrace() {
        Report r = report(new IllegalArgumentException("invalid timeline 0"));
        assertThat(r.exit()).isEqualTo(ErrorCode.INTERNAL.exitCode());
        assertThat(r.err()).startsWith("internal error: java.lang.IllegalArgumentException: invalid timeline 0")
                .contains("hint: this is a bug in arca").contains("\tat ");
    }

    @Test
    void localIoFailuresAreArca1010NamingThePath() {
        Report missing = report(new UncheckedIOException(new NoSuchFileException("/x/y")));
        assertThat(missing.exit()).isEqualTo(ErrorCode.LOCAL_IO.exitCode());
        assertThat(missing.err()).startsWith("error: local i/o failed: '/x/y': no such file or directory\n")
                .contains("code: ARCA-" + ErrorCode.LOCAL_IO.number()).doesNotContain("\tat ");
        Report full = report(new UncheckedIOException(new IOException("No space left on device")));
        assertThat(full.err()).startsWith("error: local i/o failed: no space left on device\n");
    }

    @Test
    void arcaExceptionsKeepTheirCodeEvenAroundAUsageOrIoCause() {
        Report r = report(new ArcaException(ErrorCode.STORAGE_ACCESS, "cannot write 'x'", "check the bucket",
                new IOException("reset")));
        assertThat(r.exit()).isEqualTo(13);
        assertThat(r.err()).startsWith("error: cannot write 'x'\nhint: check the bucket\n");
    }
}
