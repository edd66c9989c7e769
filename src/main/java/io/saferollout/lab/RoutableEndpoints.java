package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.saferollout.lab.cluster.PodAddresses;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which endpoints of a Service a node's proxy routes to, as kube-proxy decides from the
 * EndpointSlices: the ready ones; and only when there are none, the ones that are terminating but
 * still serving (KEP-1669 ProxyTerminatingEndpoints, GA in 1.28), so that a Service whose every pod
 * is shutting down keeps answering rather than failing all at once. Pure.
 *
 * <p>Each address is mapped to the loopback address its pod listens on by the lab's {@link
 * PodAddresses}, which refuses an address outside the mapping: a proxy never dials anything else.
 */
public final class RoutableEndpoints {

  private RoutableEndpoints() {}

  /** As the simulated control plane publishes them: loopback addresses as they are. */
  public static Set<InetSocketAddress> of(Collection<EndpointSlice> slices) {
    return of(slices, PodAddresses.identity());
  }

  /**
   * @throws IllegalArgumentException when an endpoint's address is outside {@code addresses}
   */
  public static Set<InetSocketAddress> of(
      Collection<EndpointSlice> slices, PodAddresses addresses) {
    Set<InetSocketAddress> ready =
        select(slices, addresses, c -> !Boolean.FALSE.equals(c.getReady()));
    return ready.isEmpty()
        ? select(
            slices,
            addresses,
            c -> Boolean.TRUE.equals(c.getServing()) && Boolean.TRUE.equals(c.getTerminating()))
        : ready;
  }

  private static Set<InetSocketAddress> select(
      Collection<EndpointSlice> slices,
      PodAddresses addresses,
      Predicate<EndpointConditions> keep) {
    Set<InetSocketAddress> chosen = new LinkedHashSet<>();
    for (EndpointSlice slice : slices) {
      if (slice.getPorts() == null
          || slice.getPorts().isEmpty()
          || slice.getPorts().get(0).getPort() == null
          || slice.getEndpoints() == null) {
        continue;
      }
      int port = slice.getPorts().get(0).getPort();
      for (Endpoint endpoint : slice.getEndpoints()) {
        // The API documents a missing "ready" as unknown, to be read as ready.
        EndpointConditions conditions =
            endpoint.getConditions() == null ? new EndpointConditions() : endpoint.getConditions();
        if (keep.test(conditions) && endpoint.getAddresses() != null) {
          endpoint
              .getAddresses()
              .forEach(ip -> chosen.add(new InetSocketAddress(addresses.loopback(ip), port)));
        }
      }
    }
    return chosen;
  }
}
