package io.saferollout.lab.cluster;

import java.util.Locale;

/**
 * Which control plane a lab runs on. Either way the pods are the lab's kubelet's, the data planes
 * and the operator are the lab's own.
 */
public enum ControlPlaneKind {
  /**
   * fabric8's mock API server with the lab's own Deployment, ReplicaSet and EndpointSlice
   * controllers; the kubelet binds every pod to itself. Starts in a second, any version.
   */
  SIMULATED,
  /**
   * A real etcd, kube-apiserver, kube-controller-manager and kube-scheduler of the release {@code
   * controlplane/build.sh} built ({@link io.saferollout.lab.controlplane.ControlPlane}); the lab's
   * kubelet registers Nodes and runs the pods the scheduler binds to them.
   */
  REAL;

  /** As the command line and JSON spell it: "simulated", "real". */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ControlPlaneKind fromId(String id) {
    for (ControlPlaneKind kind : values()) {
      if (kind.id().equalsIgnoreCase(id)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown control plane '" + id + "': expected 'simulated' or 'real'");
  }
}
