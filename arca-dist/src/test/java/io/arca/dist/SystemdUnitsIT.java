package io.arca.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd's own check ({@code systemd-analyze verify}) of the units in {@code deploy/systemd},
 * offline in a root directory holding this machine's system units, the units under test in
 * {@code /etc/systemd/system} and {@code /usr/bin/arca} a copy of the launcher the build staged.
 */
class SystemdUnitsIT {
    @TempDir
    Path root;

    @Test
    void systemdAcceptsTheUnits() throws Exception {
        String analyze = Command.require("systemd-analyze", "systemd");
        Path system = Path.of("/lib/systemd/system");
        assertThat(system.resolve("sysinit.target")).as("systemd's units: install the Debian package systemd").exists();
        Command copy = Command.run("cp", "-a", system.toString(), Files.createDirectories(root.resolve("lib/systemd")).toString());
        assertThat(copy.exit()).as(copy.toString()).isZero();
        Path etc = Files.createDirectories(root.resolve("etc/systemd/system"));
        try (Stream<Path> units = Files.list(Path.of(System.getProperty("arca.dist.units")))) {
            for (Path unit : units.toList()) {
                Files.copy(unit, etc.resolve(unit.getFileName()));
            }
        }
        Path launcher = Path.of(System.getProperty("arca.dist.jar")).getParent().getParent().resolve("bin/arca");
        assertThat(launcher).isExecutable();
        // a copy: systemd resolves a symlink's target inside the root
        Files.copy(launcher, Files.createDirectories(root.resolve("usr/bin")).resolve("arca"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);

        Command verify = Command.run(analyze, "verify", "--man=no", "--root=" + root,
                etc.resolve("arca-server.service").toString(), etc.resolve("arca-backup@main.service").toString(),
                etc.resolve("arca-backup@main.timer").toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out() + verify.err()).as(verify.toString()).isBlank();

        // and it does complain about a broken unit: the check is real
        Files.writeString(etc.resolve("arca-broken.service"), Files.readString(etc.resolve("arca-server.service"))
                .replace("ExecStart=/usr/bin/arca", "ExecStart=/usr/bin/arca-missing"));
        Command broken = Command.run(analyze, "verify", "--man=no", "--root=" + root, etc.resolve("arca-broken.service").toString());
        assertThat(broken.exit()).as(broken.toString()).isNotZero();
    }
}
