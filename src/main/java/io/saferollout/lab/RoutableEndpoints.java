package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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
 */
public final class RoutableEndpoints {

  private RoutableEndpoints() {}

  public static Set<InetSocketAddress> of(Collection<EndpointSlice> slices) {
    Set<InetSocketAddress> ready = select(slices, c -> !Boolean.FALSE.equals(c.getReady()));
    return ready.isEmpty()
        ? select(
            slices,
            c -> Boolean.TRUE.equals(c.getServing()) && Boolean.TRUE.equals(c.getTerminating()))
        : ready;
  }

  private static Set<InetSocketAddress> select(
      Collection<EndpointSlice> slices, Predicate<EndpointConditions> keep) {
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
          endpoint.getAddresses().forEach(ip -> chosen.add(new InetSocketAddress(ip, port)));
        }
      }
    }
    return chosen;
  }
}
