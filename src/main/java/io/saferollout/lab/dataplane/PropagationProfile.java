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
