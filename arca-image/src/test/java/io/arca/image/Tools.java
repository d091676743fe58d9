package io.arca.image;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The programs the image build and its tests run. A missing one fails the test with the Debian
 * package that provides it: these tests never skip, since a skipped image test would let a
 * broken image through unnoticed.
 */
final class Tools {

    /** Program and the Debian package that installs it. */
    record Tool(String program, String debianPackage) {
    }

    static final Tool PODMAN = new Tool("podman", "podman");
    static final Tool BUILDAH = new Tool("buildah", "buildah");
    static final Tool SKOPEO = new Tool("skopeo", "skopeo");
    static final Tool RUNC = new Tool("runc", "runc");
    static final Tool DEBOOTSTRAP = new Tool("debootstrap", "debootstrap");
    static final Tool TAR = new Tool("tar", "tar");

    private Tools() {
    }

    /** The program's path on {@code PATH}, or an {@link AssertionError} naming its Debian package. */
    static Path require(Tool tool) {
        return find(tool.program()).orElseThrow(() -> new AssertionError(missing(tool)));
    }

    static String missing(Tool tool) {
        return "'" + tool.program() + "' is not installed (not on PATH " + System.getenv("PATH")
                + "): install the Debian package " + tool.debianPackage() + " (apt-get install " + tool.debianPackage()
                + ")";
    }

    static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
