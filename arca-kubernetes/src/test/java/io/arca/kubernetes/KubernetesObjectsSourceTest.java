package io.arca.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.UsageException;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesObjectsSourceTest {
    private final KubernetesObjectsSource source = new KubernetesObjectsSource();

    private SourceOptions backup(String... args) {
        return KubernetesTestBase.options(source.backupOptions(), args);
    }

    private SourceOptions restore(String... args) {
        return KubernetesTestBase.options(source.restoreOptions(), args);
    }

    @Test
    void isFoundThroughItsServiceRegistration() {
        assertThat(BackupSources.load().find("kubernetes.objects")).get().isInstanceOf(KubernetesObjectsSource.class);
    }

    @Test
    void isSelectedByANamespace() {
        assertThat(source.backupSelected(backup("--k8s-namespace", "shop"))).isTrue();
        assertThat(source.backupSelected(SourceOptions.NONE)).isFalse();
        assertThat(source.backupSelected(backup("--k8s-kinds", "secret"))).as("to be refused").isTrue();
        assertThat(source.restoreSelected(restore("--k8s-namespace", "shop"))).isTrue();
        assertThat(source.restoreSelected(SourceOptions.NONE)).isFalse();
        assertThat(source.restoreSelected(restore("--scale-down", "deployment/web"))).as("hooks alone").isTrue();
        assertThat(source.restoreSelected(restore("--rollout-restart", "deployment/web"))).isTrue();
        assertThat(source.restoreOnly(restore("--k8s-namespace", "shop", "--k8s-only"))).isTrue();
        assertThat(source.restoreOnly(restore("--k8s-namespace", "shop"))).isFalse();
        assertThat(source.backupOptions()).filteredOn(SourceOption::isFlag).extracting(SourceOption::name)
                .containsExactly("--k8s-include-service-account-tokens", "--k8s-include-helm-releases",
                        "--allow-plaintext-secrets");
    }

    @Test
    void readsKindsAsKubectlNamesThem() {
        BackupSettings s = BackupSettings.of(backup("--k8s-namespace", "shop,web", "--k8s-kinds",
                "deploy, Secrets,cm,secret", "--k8s-selector", "app=shop"));

        assertThat(s.namespaces()).containsExactly("shop", "web");
        assertThat(s.kinds()).containsExactly(ObjectKind.CONFIGMAP, ObjectKind.SECRET, ObjectKind.DEPLOYMENT);
        assertThat(s.selector()).isEqualTo("app=shop");
        assertThat(BackupSettings.of(backup("--k8s-namespace", "shop")).kinds()).isEqualTo(ObjectKind.DEFAULT);
    }

    @Test
    void badBackupValuesAreUsageErrors() {
        assertThatThrownBy(() -> source.checkBackup(backup("--k8s-namespace", "Shop_1")))
                .isInstanceOf(UsageException.class).hasMessage("'Shop_1' given to --k8s-namespace is not a kubernetes "
                        + "namespace name");
        assertThatThrownBy(() -> source.checkBackup(backup("--k8s-namespace", "shop", "--k8s-kinds", "configmap,pods")))
                .isInstanceOf(UsageException.class).hasMessage("unknown kubernetes kind 'pods' in --k8s-kinds");
        assertThatThrownBy(() -> source.checkBackup(new SourceOptions(Map.of("--k8s-namespace", List.of("shop"),
                "--k8s-context", List.of("a", "b")), Map.of()))).isInstanceOf(UsageException.class)
                .hasMessage("--k8s-context was given 2 times; give it once");
    }

    @Test
    void badRestoreValuesAreUsageErrors() {
        assertThatThrownBy(() -> source.checkBackup(backup("--k8s-kinds", "secret")))
                .isInstanceOf(UsageException.class).hasMessage("--k8s-namespace is needed for a kubernetes backup");
        assertThatThrownBy(() -> source.checkRestore(restore("--k8s-only")))
                .isInstanceOf(UsageException.class).hasMessage("--k8s-only needs --k8s-namespace");
        assertThatThrownBy(() -> source.checkRestore(restore("--k8s-context", "prod")))
                .isInstanceOf(UsageException.class).hasMessage("--k8s-context needs --k8s-namespace");
        source.checkRestore(restore("--k8s-context", "prod", "--scale-down", "deployment/web"));
        assertThatThrownBy(() -> source.checkRestore(restore("--to-namespace", "copy")))
                .isInstanceOf(UsageException.class).hasMessage("--to-namespace needs --k8s-namespace");
        assertThatThrownBy(() -> source.checkRestore(restore("--k8s-namespace", "a,b", "--to-namespace", "copy")))
                .isInstanceOf(UsageException.class).hasMessage("--to-namespace restores one namespace, and "
                        + "--k8s-namespace names 2");
        assertThatThrownBy(() -> source.checkRestore(restore("--scale-down", "web")))
                .isInstanceOf(UsageException.class).hasMessage("'web' given to --scale-down is not deployment/NAME "
                        + "or statefulset/NAME");
        assertThatThrownBy(() -> source.checkRestore(restore("--k8s-namespace", "a,b", "--scale-down", "deploy/web")))
                .isInstanceOf(UsageException.class).hasMessage("--scale-down acts in one namespace, and "
                        + "--k8s-namespace names 2");
        assertThatThrownBy(() -> source.checkRestore(restore("--k8s-wait", "10s")))
                .isInstanceOf(UsageException.class).hasMessage("--k8s-wait is for --scale-down");
    }

    @Test
    void hooksAreMadeInOrderScaleDownsFirst() {
        RestoreSettings s = RestoreSettings.of(restore("--rollout-restart", "deployment/api", "--scale-down",
                "deploy/web", "--scale-down", "sts/db", "--k8s-wait", "90s"));

        assertThat(s.waitLimit()).isEqualTo(Duration.ofSeconds(90));
        assertThat(source.restoreHooks(restore("--rollout-restart", "deployment/api", "--scale-down", "deploy/web",
                "--scale-down", "sts/db"))).extracting(h -> h.describe()).containsExactly(
                        "scale deployment/web to 0", "scale statefulset/db to 0", "restart deployment/api");
        assertThat(source.restoreHooks(restore("--k8s-namespace", "shop"))).isEmpty();
    }
}
