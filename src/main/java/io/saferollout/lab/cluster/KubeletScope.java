package io.saferollout.lab.cluster;

import java.util.Map;
import java.util.Objects;

/**
 * Which pods a lab kubelet runs and how it reports them.
 *
 * @param controlPlane on {@link ControlPlaneKind#SIMULATED} the kubelet binds every pod to its one
 *     node and holds deletion with a finalizer (the mock server deletes at once otherwise); on
 *     {@link ControlPlaneKind#REAL} the scheduler binds, and the kubelet runs only pods bound to
 *     its nodes and ends graceful deletion with a delete of grace period 0, as the real kubelet's
 *     status manager does
 * @param nodes each node's name and InternalIP (reported as the pods' hostIP)
 * @param podAddresses what the kubelet reports as a pod's IP for the loopback address it listens on
 */
record KubeletScope(
    ControlPlaneKind controlPlane, Map<String, String> nodes, PodAddresses podAddresses) {

  KubeletScope {
    Objects.requireNonNull(controlPlane, "controlPlane");
    Objects.requireNonNull(podAddresses, "podAddresses");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("a kubelet needs at least one node");
    }
    nodes = Map.copyOf(nodes);
  }

  /** The simulated lab's single node, {@value Kubelet#NODE_NAME}, with loopback pod IPs. */
  static KubeletScope simulated() {
    return new KubeletScope(
        ControlPlaneKind.SIMULATED,
        Map.of(Kubelet.NODE_NAME, Kubelet.HOST_IP),
        PodAddresses.identity());
  }

  boolean runs(String nodeName) {
    boolean unbound = nodeName == null || nodeName.isEmpty();
    return controlPlane == ControlPlaneKind.SIMULATED
        ? unbound || nodes.containsKey(nodeName)
        : !unbound && nodes.containsKey(nodeName);
  }

  String hostIp(String nodeName) {
    return nodes.getOrDefault(nodeName, Kubelet.HOST_IP);
  }
}
