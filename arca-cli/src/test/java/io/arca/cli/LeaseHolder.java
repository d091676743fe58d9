package io.arca.cli;

import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.repo.lease.Leases;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A second process for lease tests: takes a lease on the repository given as first argument, in
 * the mode given second, prints {@code held} and keeps it until killed.
 */
public final class LeaseHolder {
    private LeaseHolder() {
    }

    public static void main(String[] args) throws Exception {
        var storage = Storages.open(StorageUrl.parse(args[0]));
        new Leases(storage, Clock.systemUTC(), Duration.ofMinutes(5)).acquire(LeaseMode.valueOf(args[1]), args[2]);
        System.out.println("held");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts the holder in a new JVM with the test class path and waits until it holds the lease. */
    static Process start(String repo, LeaseMode mode, String purpose) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LeaseHolder.class.getName(), repo, mode.name(), purpose)
                .redirectErrorStream(true).start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line = reader.readLine();
        if (!"held".equals(line)) {
            p.destroyForcibly();
            throw new AssertionError("lease holder did not start: " + line);
        }
        return p;
    }
}
