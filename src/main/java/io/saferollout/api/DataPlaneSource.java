package io.saferollout.api;

/** Where the data-plane leg of endpoint removal (nodes programming the change) is read. */
public enum DataPlaneSource {
  /** Each node's kube-proxy /metrics: kubeproxy_network_programming_duration_seconds. */
  KubeProxyMetrics,
  /** A Prometheus instant query returning the data-plane p99 in seconds. */
  Prometheus,
  /**
   * Not observed: the user states that nothing measures the nodes. Auto still moves up on the
   * control plane and the budgets, but never below delaySeconds, which stands for the data plane.
   */
  None
}
