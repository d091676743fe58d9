package io.arca.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image is built and tested with real programs; a missing one fails the build here first,
 * naming the Debian package to install (never a skipped test).
 */
class RequiredToolsTest {

    @Test
    void theContainerToolsAreInstalled() {
        for (Tools.Tool tool : List.of(Tools.PODMAN, Tools.BUILDAH, Tools.SKOPEO, Tools.RUNC, Tools.DEBOOTSTRAP,
                Tools.TAR)) {
            assertThat(Tools.require(tool)).as(tool.program()).isExecutable();
        }
    }

    @Test
    void aMissingToolFailsNamingItsDebianPackage() {
        Tools.Tool absent = new Tools.Tool("arca-no-such-program", "arca-no-such-package");
        assertThatThrownBy(() -> Tools.require(absent)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("'arca-no-such-program' is not installed")
                .hasMessageContaining("apt-get install arca-no-such-package");
    }
}
