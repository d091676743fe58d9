package io.arca.deploy.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Strict parsing of rendered objects with fabric8's model classes. fabric8 keeps a field it does
 * not know in the object's {@code additionalProperties} instead of failing, so after parsing every
 * model object in the tree is walked and any non-empty {@code additionalProperties} is an error
 * naming its path: a misspelt or misplaced field in a template fails the test.
 */
final class StrictModel {
    /** The class each apiVersion/kind the chart renders must parse into. */
    static final Map<String, Class<? extends HasMetadata>> CLASSES = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/CronJob", CronJob.class,
            "batch/v1/Job", Job.class,
            "rbac.authorization.k8s.io/v1/Role", Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class);

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StrictModel() {
    }

    /** Parses {@code doc} into its model class; fails on an unknown kind or any unknown field. */
    static HasMetadata parse(Chart.Doc doc) {
        Class<? extends HasMetadata> type = CLASSES.get(doc.apiVersion() + "/" + doc.kind());
        if (type == null) {
            throw new AssertionError(doc + ": no fabric8 model class is expected for " + doc.apiVersion() + " " + doc.kind());
        }
        HasMetadata parsed = SERIALIZATION.unmarshal(doc.text(), type);
        if (parsed instanceof GenericKubernetesResource) {
            throw new AssertionError(doc + " parsed as a generic resource");
        }
        List<String> unknown = new ArrayList<>();
        walk(parsed, doc.toString(), unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(doc + ": fields fabric8's model does not know: " + unknown);
        }
        return parsed;
    }

    static <T> T parse(Chart.Doc doc, Class<T> type) {
        return type.cast(parse(doc));
    }

    private static void walk(Object o, String path, List<String> unknown) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                walk(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, unknown));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method method : o.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                    || !method.getName().startsWith("get") || method.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = method.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(path + "." + method.getName(), e);
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(method.getName().charAt(3)) + method.getName().substring(4);
            walk(value, path + "." + field, unknown);
        }
    }
}
