package io.arca.app.verify;

import io.arca.postgres.logical.VerifyReport;

/** Hears a verification as it goes: for a front end that shows each backup when it is checked. */
public interface VerifyListener {
    VerifyListener NONE = new VerifyListener() {
    };

    /** Checking in this repository begins. */
    default void repository(String url) {
    }

    /** A warning about the repository's encryption settings (an edited arca.json). */
    default void warning(String message) {
    }

    /** One backup was checked. */
    default void report(VerifyReport report) {
    }
}
