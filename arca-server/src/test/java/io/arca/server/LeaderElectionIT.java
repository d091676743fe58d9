package io.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.Repository;
import io.arca.core.repo.RepositoryConfig;
import io.arca.core.repo.run.RunRecord;
import io.arca.core.storage.StorageUrl;
import io.arca.core.storage.Storages;
import io.arca.testkit.k8s.KubernetesTestServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of {@code arca server} with leader election against fabric8's mock Kubernetes API
 * (CRUD mode): one holds the Lease and schedules, the other stands by, serves read-only and refuses
 * runs; when the leader stops, it releases the Lease and the other takes over.
 */
class LeaderElectionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final LeaderElection.Timing FAST = new LeaderElection.Timing(Duration.ofSeconds(3),
            Duration.ofSeconds(2), Duration.ofMillis(250));

    private KubernetesTestServer k8s;
    private String namespace;
    private final List<ArcaServer> servers = new ArrayList<>();
    private final Map<String, GateJob> jobs = Map.of("arca-a", new GateJob(null, true), "arca-b",
            new GateJob(null, true));

    @TempDir
    Path dir;

    @BeforeEach
    void startKubernetes() {
        Repository.init(Storages.open(StorageUrl.parse(dir.toString())), new RepositoryConfig.Defaults("zstd:3"),
                java.time.Clock.systemUTC());
        k8s = KubernetesTestServer.startMock();
        namespace = k8s.namespace("arca");
    }

    @AfterEach
    void stop() {
        servers.forEach(s -> s.shutdown(ServerSettings.Shutdown.ABORT));
        k8s.close();
    }

    private ArcaServer replica(String identity) {
        ArcaConfig config = Configs.config(dir.toString(),
                new ArcaConfig.Server(null, null, null, 2, null, "once", null, null,
                        new ArcaConfig.LeaderElection(true, namespace, "arca-server")),
                Configs.schedules("UTC", "0 2 1 1 *"), "app");
        ArcaServer server = ArcaServer.builder(config).identity(identity).listen("127.0.0.1:0").electionTiming(FAST)
                // nothing ran yet: the leader runs the missed backup once when it starts leading
                .history((job, subject) -> Optional.empty())
                .jobs(job -> jobs.get(identity))
                .kubernetes(() -> new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(k8s.context(), k8s.kubeconfig().toFile())).build())
                .start();
        servers.add(server);
        return server;
    }

    /** Writes the Lease over to {@code arca-gone}; false when a renewal came between the read and the write. */
    private boolean takeOverAsArcaGone() {
        Lease lease = k8s.client().leases().inNamespace(namespace).withName("arca-server").get();
        lease.getSpec().setHolderIdentity("arca-gone");
        try {
            k8s.client().leases().inNamespace(namespace).resource(lease).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    private String holder() {
        Lease lease = k8s.client().leases().inNamespace(namespace).withName("arca-server").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void oneReplicaLeadsAndTheOtherTakesOverWhenItStops() {
        ArcaServer a = replica("arca-a");
        await().atMost(WAIT).until(() -> a.readiness().leading());
        ArcaServer b = replica("arca-b");
        await().atMost(WAIT).until(() -> "arca-a".equals(b.readiness().leader()));

        assertThat(holder()).isEqualTo("arca-a");
        assertThat(a.readiness()).isEqualTo(new Readiness(true, true, "arca-a", "leading"));
        assertThat(b.readiness()).isEqualTo(new Readiness(true, false, "arca-a", "standing by: 'arca-a' leads"));
        assertThat(a.planned()).hasSize(1);
        assertThat(b.planned()).isEmpty();
        await().atMost(WAIT).until(() -> jobs.get("arca-a").started.size() == 1);
        assertThatThrownBy(() -> b.queue().submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API))
                .isInstanceOfSatisfying(ArcaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_HELD));
        // the standby serves the read-only API and is ready; a trigger sent to it is refused
        assertThat(Http.get(b.port(), "/readyz").statusCode()).isEqualTo(200);
        assertThat(Http.get(b.port(), "/api/v1/runs").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = Http.post(b.port(), "/api/v1/subjects/app/backup");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("ARCA-" + ErrorCode.LOCK_HELD.number()).contains("not the leader");

        a.shutdown(ServerSettings.Shutdown.FINISH);

        // released on shutdown: b need not wait for the lease to expire
        await().atMost(WAIT).until(() -> b.readiness().leading());
        assertThat(holder()).isEqualTo("arca-b");
        await().atMost(WAIT).until(() -> jobs.get("arca-b").started.size() == 1);
        assertThat(b.planned()).hasSize(1);
        assertThat(b.queue().submit(RunRecord.Job.BACKUP, "app", RunRecord.Trigger.API).state())
                .isIn(RunState.QUEUED, RunState.RUNNING);
        assertThat(jobs.get("arca-a").started).hasSize(1);
    }

    @Test
    void aLeaderThatStopsRenewingIsReplacedOnceTheLeaseExpires() {
        ArcaServer a = replica("arca-a");
        await().atMost(WAIT).until(() -> a.readiness().leading());
        ArcaServer b = replica("arca-b");
        await().atMost(WAIT).until(() -> "arca-a".equals(b.readiness().leader()));

        // another holder writes the Lease as if a's renewals were lost: a notices and stops leading
        await().atMost(WAIT).until(this::takeOverAsArcaGone);

        await().atMost(WAIT).until(() -> !a.readiness().leading());
        assertThat(a.planned()).isEmpty();
        // arca-gone never renews: one of a and b takes the Lease after it expires
        await().atMost(WAIT).until(() -> a.readiness().leading() || b.readiness().leading());
        assertThat(List.of(a.readiness().leading(), b.readiness().leading())).containsOnlyOnce(true);
    }
}
