package io.arca.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Copies of repository trees for tests that tamper with a copy and keep the original. */
final class TestTrees {
    private TestTrees() {
    }

    /** Copies the tree at {@code from} to {@code to} (created as needed), every file. */
    static Path copy(Path from, Path to) throws IOException {
        return copy(from, to, file -> true);
    }

    /** Copies the tree at {@code from} to {@code to} (created as needed), the files {@code which} accepts. */
    static Path copy(Path from, Path to, Predicate<Path> which) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (which.test(p)) {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
