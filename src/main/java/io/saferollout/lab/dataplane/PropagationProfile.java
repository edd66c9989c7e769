package io.saferollout.lab.dataplane;

import java.util.random.RandomGenerator;

/**
 * How endpoint changes reach one node's data plane: what decides the moment a node starts routing
 * by a change the API made earlier. Endpoint removal reaches kube-proxy, ingress controllers and
 * cloud load balancers asynchronously while the pod is already terminating
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination); each kind of
 * data plane is late in its own way, which the profiles model.
 */
public sealed interface PropagationProfile
    permits PropagationDelay, KubeProxySync, PeriodicReload, CloudLbDeregistration {

  /**
   * The profile's name in settings, reports and the demo header: kube-proxy, ingress, cloud-lb,
   * uniform.
   */
  String id();

  /**
   * The profile with its parameters, for reports, e.g. {@code kube-proxy(minSync=1s,
   * apply~logN(median=200ms, sigma=1.0))}.
   */
  String describe();

  /**
   * A schedule for one node, which draws from {@code random} (that node's own stream) only.
   * Schedules keep state (when the node last synced) and must be asked in the order changes happen.
   */
  ApplySchedule schedule(RandomGenerator random);

  /**
   * Whether this delay is kube-proxy's own, and so lands in the node's {@code
   * kubeproxy_network_programming_duration_seconds}. That metric (kubernetes/kubernetes
   * pkg/proxy/metrics NetworkProgrammingLatency) is observed by kube-proxy after it has written a
   * change into the node's rules: from the change's trigger time to that write, nothing else. Paths
   * that route to pods without kube-proxy's rules are late in ways the metric never sees: an
   * ingress controller sends to endpoint addresses itself and picks changes up at its reloads; a
   * cloud load balancer with IP targets sends to pod IPs and stops only when the target is
   * deregistered. Their nodes record nothing, which is why users state budgets for such paths
   * ({@code preStop.budgets}).
   */
  boolean inKubeProxyMetric();

  /** When one node applies each change. Not thread-safe: its caller serializes. */
  interface ApplySchedule {

    /**
     * When (on the {@link System#nanoTime()} clock) the node applies a change it heard of at {@code
     * heardAtNanos}; never before an earlier change's answer, since data planes apply changes in
     * order.
     */
    long applyAtNanos(long heardAtNanos);
  }
}
