/**
 * A Kubernetes API for tests: fabric8's mock server in CRUD mode with the discovery documents
 * {@code kubectl} needs, a kubeconfig that reaches it, and a stand-in for the deployment controller;
 * or a real cluster when {@code ARCA_TEST_KUBECONFIG} is set. Needs {@code io.fabric8:kubernetes-server-mock}
 * and {@code kubernetes-client} on the test class path (optional dependencies of the testkit).
 */
package io.arca.testkit.k8s;
