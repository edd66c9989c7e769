package io.saferollout.lab.dataplane;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One node's proxy for a Service, whichever {@link DataPlaneKind}: where clients connect, and its
 * late view of the endpoints.
 */
public interface NodeProxy extends AutoCloseable {

  String name();

  DataPlaneKind kind();

  InetSocketAddress address();

  /** The URL clients send to, e.g. {@code http://127.3.0.10:40123/}. */
  URI url();

  /**
   * The endpoints this proxy routes new traffic to right now (changes not yet propagated are not
   * included).
   */
  Set<InetSocketAddress> knownEndpoints();

  /**
   * Called on the thread that applies a change, in the order changes are applied; keep it quick.
   */
  void onEndpointsApplied(Consumer<EndpointSetApplied> listener);

  /**
   * Hands a new set of routable endpoints to this proxy; it takes effect when its propagation
   * profile says.
   */
  default void update(Set<InetSocketAddress> endpoints) {
    update(endpoints, null);
  }

  /**
   * @param triggeredAt the EndpointSlices' last-change-trigger-time for this change, or {@code
   *     null}
   */
  void update(Set<InetSocketAddress> endpoints, Instant triggeredAt);

  /** Every change this proxy applied, in order. */
  List<EndpointSetApplied> appliedChanges();

  /** Each applied change's delay from reaching this node to being applied, in order. */
  default List<Duration> measuredDelays() {
    return appliedChanges().stream().map(EndpointSetApplied::propagation).toList();
  }

  /**
   * This node's kube-proxy network-programming histogram; it stays empty on a path whose delay is
   * not kube-proxy's (ingress, cloud-lb: {@link PropagationProfile#inKubeProxyMetric}).
   */
  NetworkProgrammingHistogram networkProgramming();

  @Override
  void close();
}
