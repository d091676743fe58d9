package io.arca.kubernetes;

import io.arca.core.error.UsageException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The kinds of namespaced objects Arca backs up, in the order a restore applies them: what others
 * refer to (service accounts, roles, configuration, claims) before what refers to them (workloads,
 * ingresses). Each names its API group, version and plural, so the client needs no discovery.
 */
public enum ObjectKind {
    SERVICEACCOUNT("", "v1", "ServiceAccount", "serviceaccounts", "sa"),
    ROLE("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    ROLEBINDING("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    CONFIGMAP("", "v1", "ConfigMap", "configmaps", "cm"),
    SECRET("", "v1", "Secret", "secrets"),
    PERSISTENTVOLUMECLAIM("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "pvc"),
    SERVICE("", "v1", "Service", "services", "svc"),
    DEPLOYMENT("apps", "v1", "Deployment", "deployments", "deploy"),
    STATEFULSET("apps", "v1", "StatefulSet", "statefulsets", "sts"),
    DAEMONSET("apps", "v1", "DaemonSet", "daemonsets", "ds"),
    CRONJOB("batch", "v1", "CronJob", "cronjobs", "cj"),
    INGRESS("networking.k8s.io", "v1", "Ingress", "ingresses", "ing"),
    NETWORKPOLICY("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "netpol"),
    PODDISRUPTIONBUDGET("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "pdb"),
    HORIZONTALPODAUTOSCALER("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "hpa");

    /** What {@code --k8s-kinds} means when not given. */
    public static final List<ObjectKind> DEFAULT = List.of(CONFIGMAP, SECRET);

    private final String group;
    private final String version;
    private final String kind;
    private final String plural;
    private final List<String> shortNames;

    ObjectKind(String group, String version, String kind, String plural, String... shortNames) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
        this.shortNames = List.of(shortNames);
    }

    /** The name users give in {@code --k8s-kinds}: {@code configmap}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The object's {@code kind}: {@code ConfigMap}. */
    public String kind() {
        return kind;
    }

    /** {@code v1}, {@code apps/v1}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String plural() {
        return plural;
    }

    /** How the client reaches objects of this kind, without discovery. */
    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    /** The kind an object names ({@code kind} and the group of {@code apiVersion}), if Arca knows it. */
    static java.util.Optional<ObjectKind> of(String apiVersion, String kind) {
        String g = apiVersion == null || !apiVersion.contains("/") ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind) && k.group.equals(g)).findFirst();
    }

    /**
     * The kinds a {@code --k8s-kinds} list names ({@code configmap}, {@code configmaps}, {@code cm},
     * {@code ConfigMap} alike), in apply order, each once.
     *
     * @throws UsageException naming an unknown kind and the known ones
     */
    public static List<ObjectKind> parse(List<String> names) {
        Set<ObjectKind> kinds = EnumSet.noneOf(ObjectKind.class);
        for (String name : names) {
            kinds.add(parse(name));
        }
        return new ArrayList<>(kinds);
    }

    static ObjectKind parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ObjectKind k : values()) {
            if (k.id().equals(n) || k.plural.equals(n) || k.shortNames.contains(n)) {
                return k;
            }
        }
        throw new UsageException("unknown kubernetes kind '" + name + "' in --k8s-kinds",
                "give a comma list of " + String.join(", ", Arrays.stream(values()).map(ObjectKind::id).toList()), null);
    }
}
