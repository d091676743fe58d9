/**
 * The {@code kubernetes.objects} backup source: a namespace's objects (ConfigMaps and Secrets by
 * default) stored as cleaned, kubectl-ready multi-document YAML beside the database in the same
 * backup, restored without overwriting unless {@code --clean} and without ever deleting; and the
 * restore hooks {@code --scale-down} and {@code --rollout-restart}. The client is fabric8's on the
 * JDK's HTTP client, configured from the kubeconfig or the pod's service account.
 */
package io.arca.kubernetes;
