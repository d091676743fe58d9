package io.arca.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.source.Hook;
import io.arca.core.source.SourceOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code --scale-down} and {@code --rollout-restart} around a restore, against pods that take time to end. */
class WorkloadHooksIT extends KubernetesTestBase {
    private static final Duration POD_EXIT = Duration.ofMillis(1500);

    @Test
    void scaleDownWaitsForThePodsAndScalesBackUpAfterAFailedRestore() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 3);
        server.runDeploymentController(ns, POD_EXIT);
        awaitPods(ns, "web", 3);
        Repository repo = encryptedRepository();
        BackupManifest manifest = backup(repo, "--k8s-namespace", ns);
        Path stored = storedArtifact(manifest);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length - 5] ^= 0x10;
        Files.write(stored, bytes);
        List<Hook> hooks = source.restoreHooks(restoreOptions("--k8s-namespace", ns, "--scale-down", "deployment/web"));
        assertThat(hooks).extracting(Hook::describe).containsExactly("scale deployment/web to 0");
        List<String> seenDuringRestore = new CopyOnWriteArrayList<>();
        long started = System.nanoTime();

        assertThatThrownBy(() -> withHooks(hooks, () -> {
            seenDuringRestore.add("replicas " + replicas(ns, "web"));
            seenDuringRestore.add("pods " + pods(ns, "web"));
            seenDuringRestore.add("waited " + (System.nanoTime() - started >= POD_EXIT.toNanos() || !server.isMock()));
            restore(repo, manifest, false, "--k8s-namespace", ns, "--scale-down", "deployment/web");
        })).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED));

        assertThat(seenDuringRestore).containsExactly("replicas 0", "pods 0", "waited true");
        assertThat(replicas(ns, "web")).isEqualTo(3);
        awaitPods(ns, "web", 3);
    }

    @Test
    void scaleDownGivesUpAfterTheWaitLimitAndScalesBack() throws Exception {
        String ns = server.namespace("shop");
        // pods that take minutes to end: on a real cluster sleep ignores SIGTERM as pid 1; on the mock
        // the stand-in controller removes them late
        client().apps().deployments().inNamespace(ns).resource(Fixtures.slowToEnd("slow", 2)).create();
        server.runDeploymentController(ns, Duration.ofMinutes(5));
        awaitPods(ns, "slow", 2);
        List<Hook> hooks = source.restoreHooks(restoreOptions("--k8s-namespace", ns, "--scale-down",
                "deployment/slow", "--k8s-wait", "1s"));
        List<String> notes = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> hooks.get(0).before(notes(notes))).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
            assertThat(e.getMessage()).startsWith("the pods of deployment/slow in namespace '" + ns
                    + "' did not end within 1s (2 left: slow-").endsWith("); nothing was restored");
            assertThat(e.hint()).contains("--k8s-wait");
        });

        assertThat(notes).containsExactly("scaling deployment/slow in namespace '" + ns + "' from 2 replicas to 0",
                "waiting up to 1s for the 2 pods of deployment/slow in namespace '" + ns + "' to end",
                "scaled deployment/slow in namespace '" + ns + "' back to 2 replicas");
        assertThat(replicas(ns, "slow")).isEqualTo(2);
    }

    @Test
    void rolloutRestartSetsRestartedAtAfterASuccessfulRestoreOnly() throws Exception {
        String ns = server.namespace("shop");
        Fixtures.application(server, ns, 1);
        Instant now = Instant.parse("2026-03-01T10:15:30.123Z");
        KubernetesObjectsSource fixed = new KubernetesObjectsSource(KubeConnection::open, Clock.fixed(now, ZoneOffset.UTC));
        SourceOptions options = restoreOptions("--to-namespace", ns, "--k8s-namespace", "x",
                "--rollout-restart", "deployment/web");

        List<Hook> failed = fixed.restoreHooks(options);
        assertThatThrownBy(() -> withHooks(failed, () -> {
            throw new IllegalStateException("restore failed");
        })).hasMessage("restore failed");
        assertThat(restartedAt(ns)).isNull();

        withHooks(fixed.restoreHooks(options), () -> {
        });
        assertThat(restartedAt(ns)).isEqualTo("2026-03-01T10:15:30Z");
    }

    @Test
    void aHookOnAWorkloadThatDoesNotExistFailsBeforeAnythingChanges() {
        String ns = server.namespace("shop");
        List<Hook> hooks = source.restoreHooks(restoreOptions("--k8s-namespace", ns, "--scale-down", "deployment/gone"));

        assertThatThrownBy(() -> hooks.get(0).before(Progress.NONE)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.getMessage()).isEqualTo("deployment/gone does not exist in namespace '" + ns + "'"));
    }

    private static String restartedAt(String ns) {
        var annotations = client().apps().deployments().inNamespace(ns).withName("web").get().getSpec().getTemplate()
                .getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(WorkloadHooks.RESTARTED_AT);
    }

    private static int replicas(String ns, String deployment) {
        return client().apps().deployments().inNamespace(ns).withName(deployment).get().getSpec().getReplicas();
    }

    private static int pods(String ns, String app) {
        return client().pods().inNamespace(ns).withLabel("app", app).list().getItems().size();
    }

    private static void awaitPods(String ns, String app, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(server.isMock() ? 20 : 180);
        while (pods(ns, app) != count) {
            assertThat(System.nanoTime() - deadline).as("%d pods of %s in %s", count, app, ns).isNegative();
            Thread.sleep(100);
        }
    }

    private static Progress notes(List<String> into) {
        return new Progress() {
            @Override
            public void bytes(String phase, long done, long total) {
            }

            @Override
            public void note(String message) {
                into.add(message);
            }
        };
    }
}
