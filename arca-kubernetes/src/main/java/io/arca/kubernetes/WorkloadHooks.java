package io.arca.kubernetes;

import io.arca.core.Progress;
import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.repo.retention.DurationText;
import io.arca.core.source.Hook;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The restore hooks of the runbooks' "scale the app down, restore, scale it up": {@code --scale-down}
 * and {@code --rollout-restart} on a deployment or statefulset.
 */
final class WorkloadHooks {
    /** The pod template annotation {@code kubectl rollout restart} sets; a change of it rolls the pods. */
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    private static final long POLL_MILLIS = 500;
    private static final int NAMES_SHOWN = 5;

    private WorkloadHooks() {
    }

    /** Where a hook acts: a connection, opened by {@code before} and closed by {@code after}. */
    private abstract static class WorkloadHook implements Hook {
        final RestoreSettings.Workload workload;
        private final Optional<String> namespace;
        private final Optional<String> context;
        private final Function<Optional<String>, KubeConnection> connect;
        KubeConnection connection;
        String ns;

        WorkloadHook(RestoreSettings.Workload workload, Optional<String> namespace, Optional<String> context,
                Function<Optional<String>, KubeConnection> connect) {
            this.workload = workload;
            this.namespace = namespace;
            this.context = context;
            this.connect = connect;
        }

        /** Connects and reads the workload; fails when it does not exist. */
        GenericKubernetesResource open() {
            connection = connect.apply(context);
            ns = namespace.orElse(connection.defaultNamespace());
            GenericKubernetesResource object;
            try {
                object = resource().get();
            } catch (KubernetesClientException e) {
                close();
                throw KubeErrors.of(e, "read " + where(), connection);
            }
            if (object == null) {
                close();
                throw new ArcaException(ErrorCode.FAILURE, workload + " does not exist in namespace '" + ns + "'",
                        "name an existing workload (kubectl -n " + ns + " get " + workload.kind() + "s)");
            }
            return object;
        }

        Resource<GenericKubernetesResource> resource() {
            ObjectKind kind = workload.kind().equals("deployment") ? ObjectKind.DEPLOYMENT : ObjectKind.STATEFULSET;
            return connection.client().genericKubernetesResources(kind.context()).inNamespace(ns).withName(workload.name());
        }

        String where() {
            return workload + " in namespace '" + ns + "'";
        }

        void close() {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /**
     * Scales a workload to zero before the restore and waits (bounded) until its pods are gone;
     * afterwards, whether the restore succeeded or not, scales it back to the replicas it had.
     */
    static final class ScaleDown extends WorkloadHook {
        private final Duration limit;
        private int replicas;

        ScaleDown(RestoreSettings.Workload workload, Optional<String> namespace, Optional<String> context,
                Duration limit, Function<Optional<String>, KubeConnection> connect) {
            super(workload, namespace, context, connect);
            this.limit = limit;
        }

        @Override
        public String describe() {
            return "scale " + workload + " to 0";
        }

        @Override
        public void before(Progress progress) {
            GenericKubernetesResource object = open();
            Map<?, ?> spec = object.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
            replicas = spec.get("replicas") instanceof Number n ? n.intValue() : 1;
            LabelSelector selector = connection.client().getKubernetesSerialization()
                    .convertValue(spec.get("selector"), LabelSelector.class);
            progress.note("scaling " + where() + " from " + replicas + " replicas to 0");
            boolean scaled = false;
            try {
                scale(0);
                scaled = true;
                waitForPods(selector, progress);
            } catch (RuntimeException e) {
                if (scaled) {
                    scaleBack(progress, e);
                }
                close();
                throw e;
            }
        }

        @Override
        public void after(boolean succeeded, Progress progress) {
            try {
                scaleBack(progress, null);
            } finally {
                close();
            }
        }

        private void scaleBack(Progress progress, RuntimeException failure) {
            try {
                scale(replicas);
                progress.note("scaled " + where() + " back to " + replicas + " replicas");
            } catch (RuntimeException e) {
                ArcaException error = new ArcaException(ErrorCode.FAILURE, "could not scale " + where() + " back to "
                        + replicas + " replicas: " + e.getMessage(), "scale it by hand: kubectl -n " + ns + " scale "
                        + workload + " --replicas=" + replicas, e);
                if (failure == null) {
                    throw error;
                }
                failure.addSuppressed(error);
            }
        }

        private void scale(int count) {
            try {
                var ops = connection.client().apps();
                if (workload.kind().equals("deployment")) {
                    ops.deployments().inNamespace(ns).withName(workload.name()).scale(count);
                } else {
                    ops.statefulSets().inNamespace(ns).withName(workload.name()).scale(count);
                }
            } catch (KubernetesClientException e) {
                throw KubeErrors.of(e, "scale " + where() + " to " + count, connection);
            }
        }

        /** Polls the workload's pods until none is left, for at most the limit. */
        private void waitForPods(LabelSelector selector, Progress progress) {
            long deadline = System.nanoTime() + limit.toNanos();
            boolean told = false;
            while (true) {
                List<Pod> pods;
                try {
                    pods = connection.client().pods().inNamespace(ns).withLabelSelector(selector).list().getItems();
                } catch (KubernetesClientException e) {
                    throw KubeErrors.of(e, "list the pods of " + where(), connection);
                }
                if (pods.isEmpty()) {
                    progress.note("the pods of " + where() + " have ended");
                    return;
                }
                if (!told) {
                    progress.note("waiting up to " + DurationText.format(limit) + " for the " + pods.size()
                            + " pods of " + where() + " to end");
                    told = true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    List<String> names = pods.stream().map(p -> p.getMetadata().getName()).toList();
                    throw new ArcaException(ErrorCode.FAILURE, "the pods of " + where() + " did not end within "
                            + DurationText.format(limit) + " (" + pods.size() + " left: "
                            + String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())))
                            + (names.size() > NAMES_SHOWN ? ", ..." : "") + "); nothing was restored",
                            "see why they do not end (kubectl -n " + ns + " get pods), or wait longer with "
                                    + RestoreSettings.WAIT + " DURATION");
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ArcaException(ErrorCode.INTERRUPTED, "interrupted while waiting for the pods of "
                            + where() + " to end", null, e);
                }
            }
        }
    }

    /**
     * After a successful restore, restarts a workload's pods as {@code kubectl rollout restart} does:
     * by setting its pod template's {@code kubectl.kubernetes.io/restartedAt} annotation to now, so
     * that the pods start again with what was restored. Before the restore it only checks that the
     * workload exists.
     */
    static final class RolloutRestart extends WorkloadHook {
        private final Clock clock;

        RolloutRestart(RestoreSettings.Workload workload, Optional<String> namespace, Optional<String> context,
                Clock clock, Function<Optional<String>, KubeConnection> connect) {
            super(workload, namespace, context, connect);
            this.clock = clock;
        }

        @Override
        public String describe() {
            return "restart " + workload;
        }

        @Override
        public void before(Progress progress) {
            open();
        }

        @Override
        public void after(boolean succeeded, Progress progress) {
            try {
                if (!succeeded) {
                    progress.note("not restarting " + where() + ": the restore failed");
                    return;
                }
                String now = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.SECONDS)
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RESTARTED_AT + "\":\""
                        + now + "\"}}}}}";
                try {
                    resource().patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                } catch (KubernetesClientException e) {
                    throw KubeErrors.of(e, "restart " + where(), connection);
                }
                progress.note("restarted " + where() + " (" + RESTARTED_AT + "=" + now + ")");
            } finally {
                close();
            }
        }
    }
}
