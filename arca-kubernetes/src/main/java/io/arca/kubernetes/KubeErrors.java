package io.arca.kubernetes;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns failures of the Kubernetes API into errors that say what Arca was doing and what to do about it. */
final class KubeErrors {
    private KubeErrors() {
    }

    /**
     * The error for {@code e}, which happened while doing {@code what} ({@code list secrets in namespace 'shop'}).
     */
    static ArcaException of(KubernetesClientException e, String what, KubeConnection connection) {
        int code = e.getCode();
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        if (code == 401) {
            return new ArcaException(ErrorCode.FAILURE, "kubernetes api at '" + connection.server()
                    + "' did not accept the credentials of context '" + connection.context() + "' to " + what,
                    "renew the credentials of that kubeconfig context (kubectl auth whoami shows who you are)", e);
        }
        if (code == 403) {
            return new ArcaException(ErrorCode.FAILURE, "kubernetes api refused to " + what + " (forbidden): "
                    + oneLine(reason), "give the account the role in docs/kubernetes.md "
                    + "(kubectl auth can-i --list -n NAMESPACE shows what it may do)", e);
        }
        if (code <= 0) {
            // no HTTP answer: the client reports 0 or -1
            return new ArcaException(ErrorCode.FAILURE, "cannot reach the kubernetes api at '" + connection.server()
                    + "' (context '" + connection.context() + "') to " + what + ": " + oneLine(rootMessage(e)),
                    "check --k8s-context and the kubeconfig (kubectl cluster-info)", e);
        }
        return new ArcaException(ErrorCode.FAILURE, "kubernetes api failed to " + what + " (" + code + "): "
                + oneLine(reason), null, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
