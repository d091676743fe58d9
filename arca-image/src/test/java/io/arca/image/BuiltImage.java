package io.arca.image;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The image archive this module's build wrote ({@code arca.image.archive}, set by the pom),
 * loaded once per test run into a private {@link Podman} storage that is removed when the run
 * ends. Injected as a test or constructor parameter.
 */
final class BuiltImage implements ParameterResolver {

    /** The loaded image: its reference, the podman that holds it and the archive it came from. */
    record Loaded(String reference, String version, Path archive, Podman podman) implements AutoCloseable {
        @Override
        public void close() {
            podman.close();
        }
    }

    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new AssertionError("system property " + name + " is not set: run the tests through Maven"
                    + " (mvn -B verify -pl arca-image), whose pom sets it");
        }
        return value;
    }

    static Path archive() {
        Path archive = Path.of(property("arca.image.archive"));
        if (!Files.isRegularFile(archive)) {
            throw new AssertionError("the image archive " + archive + " does not exist: the package phase"
                    + " (deploy/image/build.sh) builds it");
        }
        return archive;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Loaded.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(BuiltImage.class))
                .computeIfAbsent(Loaded.class, k -> load(), Loaded.class);
    }

    private static Loaded load() {
        String version = property("arca.image.version");
        Path archive = archive();
        Podman podman = new Podman();
        try {
            Command.Result r = podman.podman("load", "--input", archive.toString()).expectSuccess();
            String reference = "localhost/arca:" + version;
            if (!(r.out() + r.err()).contains(reference)) {
                throw new AssertionError("the archive does not hold " + reference + ": " + r);
            }
            return new Loaded(reference, version, archive, podman);
        } catch (RuntimeException | AssertionError e) {
            podman.close();
            throw e;
        }
    }
}
