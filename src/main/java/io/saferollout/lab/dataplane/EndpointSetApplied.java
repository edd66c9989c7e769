package io.saferollout.lab.dataplane;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A data plane started routing to a new endpoint set: for report timelines that show when each node
 * saw each change, next to when the change was made.
 *
 * @param requestedAt when the change was handed to the data plane (the EndpointSlice update)
 * @param appliedAt when the data plane started using it
 * @param triggeredAt the EndpointSlice's {@code endpoints.kubernetes.io/last-change-trigger-time},
 *     or {@code null} when the change carried none or the node's delay is not kube-proxy's (see
 *     {@link PropagationProfile#inKubeProxyMetric}): then kube-proxy's metric has no duration for
 *     it
 */
public record EndpointSetApplied(
    String proxyName,
    Set<InetSocketAddress> endpoints,
    Instant requestedAt,
    Instant appliedAt,
    Instant triggeredAt) {

  public EndpointSetApplied(
      String proxyName, Set<InetSocketAddress> endpoints, Instant requestedAt, Instant appliedAt) {
    this(proxyName, endpoints, requestedAt, appliedAt, null);
  }

  /** How late this node was: from the change reaching it to applying it. */
  public Duration propagation() {
    return Duration.between(requestedAt, appliedAt);
  }

  /**
   * kube-proxy's network programming duration for this change: from its trigger to this node
   * applying it; empty when the change carried no trigger time or kube-proxy's metric does not see
   * this node's path.
   */
  public Optional<Duration> networkProgramming() {
    return Optional.ofNullable(triggeredAt).map(t -> Duration.between(t, appliedAt));
  }
}
