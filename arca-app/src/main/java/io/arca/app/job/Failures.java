package io.arca.app.job;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Any failure of a run as an {@link ArcaException}: its code is what the record, metrics and exit code say. */
public final class Failures {
    private Failures() {
    }

    public static ArcaException of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ArcaException a) {
                return a;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UsageException u) {
                return new ArcaException(ErrorCode.USAGE, String.valueOf(u.getMessage()), u.hint(), e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io && !(t instanceof UncheckedIOException)) {
                return new ArcaException(ErrorCode.LOCAL_IO, "local i/o failed: " + io.getMessage(),
                        "check the path, its permissions and the free space on its file system", e);
            }
        }
        return new ArcaException(ErrorCode.INTERNAL, "internal error: " + e, "this is a bug in arca; please report it",
                e);
    }
}
