package io.saferollout.lab.dataplane;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a node's proxy balances a Service's traffic. */
public enum DataPlaneKind {

  /**
   * kube-proxy: per TCP connection. A new connection picks an endpoint from the node's current
   * view; an established one stays on its endpoint until the client or the pod closes it, since
   * removing an endpoint does not flush conntrack entries of TCP flows.
   */
  KUBE_PROXY("kube-proxy"),

  /**
   * An ingress controller or mesh sidecar: per HTTP request, with optional retries on another
   * endpoint.
   */
  INGRESS("ingress");

  private final String id;

  DataPlaneKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static DataPlaneKind parse(String id) {
    return Arrays.stream(values())
        .filter(k -> k.id.equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown data plane kind '"
                        + id
                        + "': expected one of "
                        + Arrays.stream(values())
                            .map(DataPlaneKind::id)
                            .collect(Collectors.joining(", "))));
  }
}
