package io.arca.deploy.helm;

import com.marcnuri.helm.LintResult;
import io.arca.app.config.ArcaConfig;
import io.arca.app.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart deploy/helm/arca, linted and rendered by helm-java (Helm's Go code in the JVM):
 * for the default values and each example values file in the chart's ci/ folder, every object is
 * parsed strictly by fabric8's model classes, arca.yaml is loaded by Arca's ConfigLoader, every
 * container's command line is parsed by Arca's picocli model (with the rendered arca.yaml as its
 * --config) and the files it names are mounted; RBAC is namespaced and only for what is enabled.
 */
class HelmChartTest {
    /** The arca command each component runs. */
    private static final Map<String, String> COMMANDS = Map.of(
            "backup", "backup", "physical-backup", "backup", "verify", "verify", "drill", "drill",
            "prune", "prune", "init", "init", "server", "server", "wal-receive", "wal-receive", "restore", "restore");
    private static final String CONFIG = "/etc/arca/arca.yaml";

    @TempDir
    Path work;

    static Stream<Arguments> values() {
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of("defaults", null));
        for (Path f : Chart.ciValues()) {
            all.add(Arguments.of(f.getFileName().toString(), f));
        }
        return all.stream();
    }

    private static Path ci(String name) {
        return Chart.dir().resolve("ci").resolve(name);
    }

    @Test
    void ciHoldsAValuesFileForEachMode() {
        assertThat(Chart.ciValues()).extracting(p -> p.getFileName().toString()).contains(
                "cronjob-values.yaml", "server-values.yaml", "wal-values.yaml", "restore-values.yaml",
                "objectstore-values.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void lintPassesStrictly(String name, Path values) throws IOException {
        LintResult result = Chart.lint(values, work);
        assertThat(result.isFailed()).as("helm lint --strict %s: %s", name, result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
    }

    @Test
    void aTypoInTheValuesFailsLintAndTemplate() throws IOException {
        Path typo = Path.of("src/test/resources/helm/typo-values.yaml").toAbsolutePath();
        LintResult result = Chart.lint(typo, work);
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("bakup").contains("persistance");
        assertThatThrownBy(() -> Chart.template(typo, work))
                .hasMessageContaining("additional properties 'bakup' not allowed");
        assertThatThrownBy(() -> Chart.template(null, work, "mode=cron"))
                .hasMessageContaining("/mode");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void everyRenderedObjectParsesStrictly(String name, Path values) throws IOException {
        Chart.Rendered rendered = Chart.template(values, work);
        assertThat(rendered.docs()).isNotEmpty();
        for (Chart.Doc doc : rendered.docs()) {
            if (doc.apiVersion().equals("monitoring.coreos.com/v1")) {
                checkMonitoring(doc);
            } else {
                HasMetadata parsed = StrictModel.parse(doc);
                assertThat(parsed.getMetadata().getName()).as(doc.toString()).isNotBlank();
                assertThat(parsed.getMetadata().getLabels()).as(doc.toString())
                        .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkMonitoring(Chart.Doc doc) {
        Map<String, Object> spec = (Map<String, Object>) doc.tree().get("spec");
        assertThat(doc.tree()).as(doc.toString()).containsOnlyKeys("apiVersion", "kind", "metadata", "spec");
        switch (doc.kind()) {
            case "ServiceMonitor" -> {
                assertThat(spec).containsOnlyKeys("selector", "endpoints");
                List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
                assertThat(endpoints).singleElement().satisfies(e -> {
                    assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics");
                    assertThat(e.keySet()).isSubsetOf("port", "path", "interval");
                });
                assertThat((Map<String, Object>) ((Map<String, Object>) spec.get("selector")).get("matchLabels"))
                        .containsEntry("app.kubernetes.io/component", "server");
            }
            case "PrometheusRule" -> {
                assertThat(spec).containsOnlyKeys("groups");
                for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
                    assertThat(group).containsKeys("name", "rules");
                    for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                        assertThat(rule).containsKeys("alert", "expr");
                        assertThat(rule.keySet()).isSubsetOf("alert", "expr", "for", "labels", "annotations");
                    }
                }
            }
            default -> throw new AssertionError("unexpected " + doc);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void arcaYamlIsOneArcaLoads(String name, Path values) throws IOException {
        Chart.Rendered rendered = Chart.template(values, work);
        Optional<String> text = arcaYaml(rendered);
        Map<String, Object> given = values == null ? Map.of() : Chart.read(values);
        if (!(given.get("subjects") instanceof Map<?, ?> subjects) || subjects.isEmpty()) {
            assertThat(text).as("no subjects, no arca.yaml").isEmpty();
            return;
        }
        ArcaConfig config = ConfigLoader.of(Map.of()).load(text.orElseThrow(), "arca.yaml", List.of());
        assertThat(config.subjects().keySet()).containsExactlyInAnyOrderElementsOf(
                subjects.keySet().stream().map(String::valueOf).toList());
        boolean server = "server".equals(given.get("mode"));
        config.subjects().forEach((subject, entry) -> {
            assertThat(entry.schedules() != null).as("%s: schedules in arca.yaml only in server mode", subject)
                    .isEqualTo(server);
            if (server) {
                assertThat(entry.passwordEnv()).isEqualTo("ARCA_DB_PASSWORD_" + subject.toUpperCase());
            }
        });
    }

    private static Optional<String> arcaYaml(Chart.Rendered rendered) {
        return rendered.kind("ConfigMap").stream()
                .map(d -> StrictModel.parse(d, ConfigMap.class))
                .filter(c -> c.getMetadata().getName().equals("arca-config"))
                .map(c -> c.getData().get("arca.yaml"))
                .findFirst();
    }

    /** A rendered pod: its owner, the component label, the spec. */
    record Pod(String owner, String component, PodSpec spec, Map<String, String> labels) {
        Container arca() {
            assertThat(spec.getContainers()).as(owner).hasSize(1);
            return spec.getContainers().get(0);
        }
    }

    private static List<Pod> pods(Chart.Rendered rendered) {
        List<Pod> pods = new ArrayList<>();
        for (Chart.Doc doc : rendered.docs()) {
            PodTemplateSpec template = switch (doc.kind()) {
                case "CronJob" -> StrictModel.parse(doc, CronJob.class).getSpec().getJobTemplate().getSpec().getTemplate();
                case "Job" -> StrictModel.parse(doc, Job.class).getSpec().getTemplate();
                case "Deployment" -> StrictModel.parse(doc, Deployment.class).getSpec().getTemplate();
                default -> null;
            };
            if (template != null) {
                Map<String, String> labels = template.getMetadata().getLabels();
                pods.add(new Pod(doc.toString(), labels.get("app.kubernetes.io/component"), template.getSpec(), labels));
            }
        }
        return pods;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void everyCommandLineIsOneArcaAccepts(String name, Path values) throws IOException {
        Chart.Rendered rendered = Chart.template(values, work);
        Optional<String> arcaYaml = arcaYaml(rendered);
        Path config = work.resolve("arca.yaml");
        if (arcaYaml.isPresent()) {
            Files.writeString(config, arcaYaml.get(), StandardCharsets.UTF_8);
        }
        List<Pod> pods = pods(rendered);
        assertThat(pods).as("pods of %s", name).isNotEmpty();
        for (Pod pod : pods) {
            List<String> args = new ArrayList<>(pod.arca().getArgs());
            assertThat(COMMANDS).as(pod.owner()).containsKey(pod.component());
            int at = args.indexOf("--config");
            if (at >= 0) {
                assertThat(args.get(at + 1)).isEqualTo(CONFIG);
                assertThat(mountedFrom(pod, CONFIG)).as("%s: %s mounted from the ConfigMap", pod.owner(), CONFIG)
                        .contains("configMap:arca-config/arca.yaml");
                args.set(at + 1, config.toString());
            }
            String command;
            try {
                command = ArcaCommandLine.parse(args);
            } catch (RuntimeException e) {
                throw new AssertionError(pod.owner() + ": arca " + pod.arca().getArgs() + " is refused: " + e.getMessage(), e);
            }
            assertThat(command).as("%s: %s", pod.owner(), pod.arca().getArgs()).isEqualTo(COMMANDS.get(pod.component()));
            if (pod.component().equals("physical-backup")) {
                assertThat(args).contains("--physical");
            }
        }
    }

    /** Where a file in the container comes from: "configMap:NAME/KEY", "secret:NAME/KEY", "pvc:CLAIM", "emptyDir". */
    private static Optional<String> mountedFrom(Pod pod, String file) {
        VolumeMount best = null;
        for (VolumeMount m : pod.arca().getVolumeMounts()) {
            if ((file.equals(m.getMountPath()) || file.startsWith(m.getMountPath() + "/"))
                    && (best == null || m.getMountPath().length() > best.getMountPath().length())) {
                best = m;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String name = best.getName();
        Volume volume = pod.spec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(pod.owner() + ": mount of a missing volume " + name));
        String relative = file.substring(Math.min(file.length(), best.getMountPath().length() + 1));
        if (volume.getPersistentVolumeClaim() != null) {
            return Optional.of("pvc:" + volume.getPersistentVolumeClaim().getClaimName());
        }
        if (volume.getEmptyDir() != null) {
            return Optional.of("emptyDir");
        }
        if (volume.getProjected() != null) {
            for (VolumeProjection source : volume.getProjected().getSources()) {
                if (source.getConfigMap() != null) {
                    for (KeyToPath item : source.getConfigMap().getItems()) {
                        if (item.getPath().equals(relative)) {
                            return Optional.of("configMap:" + source.getConfigMap().getName() + "/" + item.getKey());
                        }
                    }
                }
                if (source.getSecret() != null) {
                    for (KeyToPath item : source.getSecret().getItems()) {
                        if (item.getPath().equals(relative)) {
                            return Optional.of("secret:" + source.getSecret().getName() + "/" + item.getKey());
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void filesArcaYamlNamesAreMountedWhereTheyAreRead(String name, Path values) throws IOException {
        Chart.Rendered rendered = Chart.template(values, work);
        Optional<String> text = arcaYaml(rendered);
        if (text.isEmpty()) {
            return;
        }
        ArcaConfig config = ConfigLoader.of(Map.of()).load(text.get(), "arca.yaml", List.of());
        // the server runs backups, verifies and drills only in server mode
        boolean scheduler = values != null && "server".equals(Chart.read(values).get("mode"));
        for (Pod pod : pods(rendered)) {
            boolean server = pod.component().equals("server");
            boolean encrypts = List.of("backup", "physical-backup", "wal-receive", "init", "restore")
                    .contains(pod.component()) || server && scheduler;
            boolean decrypts = List.of("verify", "drill", "restore").contains(pod.component()) || server && scheduler;
            for (ArcaConfig.RepositoryEntry repo : config.repositories().values()) {
                if (repo.url().startsWith("/")) {
                    assertThat(mountedFrom(pod, repo.url())).as("%s: repository %s", pod.owner(), repo.url())
                            .hasValueSatisfying(v -> assertThat(v).startsWith("pvc:"));
                }
                if (repo.encryptTo() != null && encrypts) {
                    repo.encryptTo().forEach(key -> assertThat(mountedFrom(pod, key)).as("%s: %s", pod.owner(), key)
                            .hasValueSatisfying(v -> assertThat(v).startsWith("secret:")));
                }
                if (repo.privateKeyFile() != null) {
                    Optional<String> mounted = mountedFrom(pod, repo.privateKeyFile());
                    if (decrypts) {
                        assertThat(mounted).as("%s: %s", pod.owner(), repo.privateKeyFile())
                                .hasValueSatisfying(v -> assertThat(v).startsWith("secret:"));
                    } else {
                        assertThat(mounted).as("%s must not see the private key", pod.owner()).isEmpty();
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void podsRunLockedDown(String name, Path values) throws IOException {
        Chart.Rendered rendered = Chart.template(values, work);
        for (Pod pod : pods(rendered)) {
            assertThat(pod.spec().getSecurityContext().getRunAsNonRoot()).as(pod.owner()).isTrue();
            assertThat(pod.spec().getSecurityContext().getRunAsUser()).as(pod.owner()).isEqualTo(10001L);
            Container arca = pod.arca();
            assertThat(arca.getSecurityContext().getReadOnlyRootFilesystem()).as(pod.owner()).isTrue();
            assertThat(arca.getSecurityContext().getAllowPrivilegeEscalation()).as(pod.owner()).isFalse();
            assertThat(arca.getSecurityContext().getCapabilities().getDrop()).as(pod.owner()).containsExactly("ALL");
            assertThat(mountedFrom(pod, "/tmp/x")).as("%s: /tmp writable", pod.owner()).contains("emptyDir");
            assertThat(mountedFrom(pod, "/var/lib/arca/x")).as("%s: home writable", pod.owner()).contains("emptyDir");
            assertThat(arca.getResources().getRequests()).as(pod.owner()).containsKeys("cpu", "memory");
            assertThat(arca.getImage()).isEqualTo("arca:0.1.0-SNAPSHOT");
            assertThat(arca.getImagePullPolicy()).isEqualTo("IfNotPresent");
            boolean job = !List.of("server", "wal-receive").contains(pod.component());
            assertThat(pod.spec().getRestartPolicy()).as(pod.owner()).isEqualTo(job ? "Never" : "Always");
        }
        for (Chart.Doc doc : rendered.kind("CronJob")) {
            CronJob cronJob = StrictModel.parse(doc, CronJob.class);
            assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
            assertThat(cronJob.getSpec().getSuccessfulJobsHistoryLimit()).isNotNull();
            assertThat(cronJob.getSpec().getFailedJobsHistoryLimit()).isNotNull();
            assertThat(cronJob.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds()).isPositive();
            assertThat(cronJob.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isNotNull();
            assertThat(cronJob.getMetadata().getName().length()).isLessThanOrEqualTo(52);
        }
    }

    @Test
    void cronJobModeSchedulesEachSubjectsJobs() throws IOException {
        Chart.Rendered rendered = Chart.template(ci("cronjob-values.yaml"), work);
        Map<String, String> schedules = new TreeMap<>();
        for (Chart.Doc doc : rendered.kind("CronJob")) {
            CronJob cronJob = StrictModel.parse(doc, CronJob.class);
            schedules.put(cronJob.getMetadata().getName(), cronJob.getSpec().getSchedule()
                    + (cronJob.getSpec().getTimeZone() == null ? "" : " " + cronJob.getSpec().getTimeZone()));
        }
        assertThat(schedules).containsExactlyInAnyOrderEntriesOf(Map.of(
                "arca-backup-app", "0 2 * * * Europe/Berlin",
                "arca-verify-app", "30 6 * * * Europe/Berlin",
                "arca-drill-app", "0 4 * * SAT Europe/Berlin",
                "arca-prune-app", "0 5 * * * Europe/Berlin",
                "arca-backup-billing", "*/30 * * * *",
                "arca-prune-billing", "0 5 * * *"));
        Pod backup = pods(rendered).stream().filter(p -> p.owner().equals("CronJob/arca-backup-app")).findFirst().orElseThrow();
        assertThat(backup.arca().getArgs()).containsExactly("backup", "--config", CONFIG, "--subject", "app", "--verbose");
        assertThat(env(backup, "PGPASSWORD")).isEqualTo("app-db/password");
        assertThat(env(backup, "ARCA_DB_PASSWORD")).isEqualTo("app-db/password");
        assertThat(backup.spec().getAutomountServiceAccountToken()).as("Kubernetes capture needs the API").isTrue();
        Pod drill = pods(rendered).stream().filter(p -> p.owner().equals("CronJob/arca-drill-app")).findFirst().orElseThrow();
        assertThat(env(drill, "PGPASSWORD")).as("the scratch server's password").isEqualTo("scratch-db/password");
        assertThat(env(drill, "ARCA_PRIVATE_KEY_PASSPHRASE")).isEqualTo("arca-private-key/passphrase");
        assertThat(drill.spec().getAutomountServiceAccountToken()).isFalse();
    }

    private static String env(Pod pod, String name) {
        return pod.arca().getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .map(e -> e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey())
                .orElse(null);
    }

    @Test
    void defaultsMakeNoRolesAndNoClusterWideObjects() throws IOException {
        Chart.Rendered rendered = Chart.template(null, work);
        assertThat(rendered.docs()).extracting(Chart.Doc::kind)
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
        for (Path values : Chart.ciValues()) {
            assertThat(Chart.template(values, work).docs()).extracting(Chart.Doc::kind)
                    .as(values.toString()).doesNotContain("ClusterRole", "ClusterRoleBinding");
        }
        assertThat(Chart.template(ci("objectstore-values.yaml"), work).kind("Role")).isEmpty();
        assertThat(pods(Chart.template(ci("wal-values.yaml"), work)))
                .allSatisfy(p -> assertThat(p.spec().getAutomountServiceAccountToken()).as(p.owner()).isFalse());
    }

    /** Role name/namespace -> its rules as "group|resources|verbs". */
    private static Map<String, List<String>> roles(Chart.Rendered rendered) {
        Map<String, List<String>> roles = new TreeMap<>();
        for (Chart.Doc doc : rendered.kind("Role")) {
            Role role = StrictModel.parse(doc, Role.class);
            List<String> rules = new ArrayList<>();
            for (PolicyRule rule : role.getRules()) {
                rules.add(String.join(",", rule.getApiGroups()) + "|" + String.join(",", rule.getResources()) + "|"
                        + String.join(",", rule.getVerbs()));
            }
            roles.put(role.getMetadata().getName() + "@" + Optional.ofNullable(role.getMetadata().getNamespace()).orElse(""), rules);
        }
        for (Chart.Doc doc : rendered.kind("RoleBinding")) {
            RoleBinding binding = StrictModel.parse(doc, RoleBinding.class);
            assertThat(binding.getRoleRef().getName()).isEqualTo(binding.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo("arca");
                assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
            });
        }
        assertThat(rendered.kind("RoleBinding")).hasSameSizeAs(rendered.kind("Role"));
        return roles;
    }

    @Test
    void rolesGrantWhatEnabledFeaturesNeed() throws IOException {
        assertThat(roles(Chart.template(ci("cronjob-values.yaml"), work))).containsExactlyEntriesOf(Map.of(
                "arca-capture@shop", List.of("|configmaps,secrets|list", "apps|deployments|list")));
        assertThat(roles(Chart.template(ci("server-values.yaml"), work))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "arca-capture@crm", List.of("|configmaps,secrets|list"),
                "arca-server-lease@", List.of("coordination.k8s.io|leases|get,create,update")));
        assertThat(roles(Chart.template(ci("restore-values.yaml"), work))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "arca-capture@shop", List.of("|configmaps,secrets|list"),
                "arca-restore@shop", List.of(
                        "apps|deployments,statefulsets|get,patch",
                        "apps|deployments/scale,statefulsets/scale|get,update",
                        "|pods|list",
                        "|configmaps,secrets|get,create,update")));
        Path scaleDownOnly = work.resolve("scale-down-only.yaml");
        Files.writeString(scaleDownOnly, "restore: {scaleDown: [deployment/web], rolloutRestart: [], clean: false,"
                + " kubernetesObjects: false}\n");
        assertThat(roles(Chart.template(ci("restore-values.yaml"), work, "--values", scaleDownOnly.toString())))
                .containsEntry("arca-restore@shop", List.of(
                        "apps|deployments|get", "apps|deployments/scale|get,update", "|pods|list"));
        assertThat(roles(Chart.template(ci("server-values.yaml"), work, "server.replicas=1")))
                .doesNotContainKey("arca-server-lease@");
    }

    @Test
    void restoreJobOnlyWithABackupAndWithItsHooks() throws IOException {
        assertThat(Chart.template(ci("cronjob-values.yaml"), work).kind("Job")).extracting(Chart.Doc::name)
                .containsExactly("arca-init");
        Chart.Rendered rendered = Chart.template(ci("restore-values.yaml"), work);
        Pod restore = pods(rendered).stream().filter(p -> p.component().equals("restore")).findFirst().orElseThrow();
        assertThat(restore.owner()).isEqualTo("Job/arca-restore-20260301");
        assertThat(restore.arca().getArgs()).containsExactly("restore", "latest", "--config", CONFIG, "--subject", "app",
                "--to", "postgresql://arca@app-db.shop:5432/app", "--k8s-namespace", "shop", "--clean",
                "--terminate-connections", "--scale-down", "deployment/web", "--scale-down", "statefulset/worker",
                "--rollout-restart", "deployment/api", "--health-url", "http://web.shop.svc:8080/health/ready");
        assertThat(restore.spec().getAutomountServiceAccountToken()).isTrue();
        assertThat(env(restore, "PGPASSWORD")).isEqualTo("app-db/password");
        assertThat(env(restore, "ARCA_PRIVATE_KEY_PASSPHRASE")).isEqualTo("arca-keys/key-passphrase");
        Job job = StrictModel.parse(rendered.kind("Job").stream().filter(d -> d.name().equals("arca-restore-20260301"))
                .findFirst().orElseThrow(), Job.class);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        Pod otherTarget = pods(Chart.template(ci("restore-values.yaml"), work, "restore.backup=20260301T020000Z-77e0d4c2",
                "restore.to=postgresql://arca@new-db:5432/app", "restore.passwordSecret.name=new-db"))
                .stream().filter(p -> p.component().equals("restore")).findFirst().orElseThrow();
        assertThat(otherTarget.arca().getArgs()).containsSequence("restore", "20260301T020000Z-77e0d4c2")
                .containsSequence("--to", "postgresql://arca@new-db:5432/app");
        assertThat(env(otherTarget, "PGPASSWORD")).isEqualTo("new-db/password");
    }

    @Test
    void initIsAPostInstallHook() throws IOException {
        Chart.Doc init = Chart.template(null, work).kind("Job").stream().filter(d -> d.name().equals("arca-init"))
                .findFirst().orElseThrow();
        assertThat(init.text()).contains(Chart.HOOK_STAND_IN + " post-install");
        assertThat(Files.readString(Chart.dir().resolve("templates/init-job.yaml"))).contains(Chart.HOOK + " post-install");
        assertThat(Chart.template(ci("wal-values.yaml"), work).kind("Job")).isEmpty();
    }

    @Test
    void serverHasProbesAServiceAndLeaderElection() throws IOException {
        Chart.Rendered rendered = Chart.template(ci("server-values.yaml"), work);
        assertThat(rendered.kind("CronJob")).as("the server schedules").isEmpty();
        Deployment server = StrictModel.parse(rendered.kind("Deployment").get(0), Deployment.class);
        assertThat(server.getSpec().getReplicas()).isEqualTo(2);
        Container arca = server.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(arca.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(arca.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(arca.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(9187));
        ArcaConfig config = ConfigLoader.of(Map.of()).load(arcaYaml(rendered).orElseThrow(), "arca.yaml", List.of());
        assertThat(config.server().listen()).isEqualTo("0.0.0.0:9187");
        assertThat(config.server().leaderElection().enabled()).isTrue();
        assertThat(config.server().tokens().readEnv()).isEqualTo("ARCA_READ_TOKENS");
        assertThat(arca.getEnv()).extracting(e -> e.getName()).contains("ARCA_READ_TOKENS", "ARCA_OPERATOR_TOKENS",
                "ARCA_DB_PASSWORD_APP", "ARCA_DB_PASSWORD_CRM", "GOOGLE_APPLICATION_CREDENTIALS");
        assertThat(rendered.kind("Service")).singleElement().extracting(Chart.Doc::name).isEqualTo("arca-server");
        assertThat(rendered.kind("ServiceMonitor")).hasSize(1);
        Deployment single = StrictModel.parse(Chart.template(ci("server-values.yaml"), work, "server.replicas=1")
                .kind("Deployment").get(0), Deployment.class);
        assertThat(single.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThatThrownBy(() -> Chart.template(ci("server-values.yaml"), work, "server.tokens.secretName="))
                .hasMessageContaining("server.tokens.secretName");
    }

    @Test
    void walReceiveRunsOneReplicaRecreated() throws IOException {
        Chart.Rendered rendered = Chart.template(ci("wal-values.yaml"), work);
        Deployment wal = StrictModel.parse(rendered.kind("Deployment").get(0), Deployment.class);
        assertThat(wal.getMetadata().getName()).isEqualTo("arca-wal-receive-app");
        assertThat(wal.getSpec().getReplicas()).isEqualTo(1);
        assertThat(wal.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(wal.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly(
                "wal-receive", "--config", CONFIG, "--subject", "app", "--slot", "arca_app", "--status-interval", "5s");
        assertThat(rendered.kind("CronJob")).extracting(Chart.Doc::name)
                .containsExactlyInAnyOrder("arca-physical-backup-app", "arca-verify-app", "arca-prune-app");
        assertThat(rendered.kind("PersistentVolumeClaim")).isEmpty();
        assertThat(rendered.kind("ServiceAccount")).singleElement().extracting(Chart.Doc::text).asString()
                .contains("eks.amazonaws.com/role-arn: \"arn:aws:iam::123456789012:role/arca-backups\"");
    }

    @Test
    void prometheusRuleIsArcasRulesFile() throws IOException {
        Path original = Chart.deployDir().resolve("prometheus/arca-rules.yml");
        assertThat(Chart.dir().resolve("files/arca-rules.yml")).as("the chart's copy of %s", original)
                .hasSameTextualContentAs(original);
        Chart.Doc rule = Chart.template(ci("server-values.yaml"), work).kind("PrometheusRule").get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) rule.tree().get("spec");
        assertThat(spec.get("groups")).isEqualTo(Chart.read(original).get("groups"));
        assertThat(rule.text()).contains("release: kube-prometheus-stack");
    }

    /**
     * The CronJobs that docs/kubernetes.md and the chart's README create manual Jobs from exist when
     * their values are rendered: the docs' values block for subject shop, ci/cronjob-values.yaml for app.
     */
    @Test
    void documentedCronJobsExist() throws IOException {
        Path docs = Path.of(System.getProperty("arca.docs", "../docs"));
        String guide = Files.readString(docs.resolve("kubernetes.md"), StandardCharsets.UTF_8);
        String section = guide.substring(guide.indexOf("## Running Arca with the Helm chart"));
        String valuesBlock = section.substring(section.indexOf("# my-values.yaml"));
        valuesBlock = valuesBlock.substring(0, valuesBlock.indexOf("```"));
        Path values = work.resolve("my-values.yaml");
        Files.writeString(values, valuesBlock, StandardCharsets.UTF_8);
        List<String> cronJobs = Chart.template(values, work).kind("CronJob").stream().map(Chart.Doc::name).toList();
        assertThat(cronJobs).containsExactlyInAnyOrder("arca-backup-shop", "arca-verify-shop", "arca-drill-shop",
                "arca-prune-shop");
        assertThat(fromCronJob(section)).isNotEmpty().allSatisfy(name -> assertThat(cronJobs).contains(name));
        String readme = Files.readString(Chart.dir().resolve("README.md"), StandardCharsets.UTF_8);
        List<String> ciCronJobs = Chart.template(ci("cronjob-values.yaml"), work).kind("CronJob").stream()
                .map(Chart.Doc::name).toList();
        assertThat(fromCronJob(readme)).isNotEmpty().allSatisfy(name -> assertThat(ciCronJobs).contains(name));
        Path restoreValues = work.resolve("restore.yaml");
        Files.writeString(restoreValues, "restore: {backup: latest, clean: true, namespace: shop, kubernetesObjects: true,"
                + " scaleDown: [deployment/web], healthUrls: ['http://web.shop.svc:8080/health/ready']}\n");
        Pod restore = pods(Chart.template(values, work, "--values", restoreValues.toString())).stream()
                .filter(p -> p.component().equals("restore")).findFirst().orElseThrow();
        assertThat(section.replaceAll("\\s+", " ")).as("the restore command docs/kubernetes.md shows")
                .contains("`arca " + String.join(" ", restore.arca().getArgs()) + "`");
    }

    private static List<String> fromCronJob(String text) {
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("--from=cronjob/([a-z0-9-]+)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
