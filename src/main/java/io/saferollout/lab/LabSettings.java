package io.saferollout.lab;

import io.saferollout.lab.cluster.ControlPlaneKind;
import io.saferollout.lab.cluster.SimulatedVersion;
import io.saferollout.lab.dataplane.CloudLbDeregistration;
import io.saferollout.lab.dataplane.DataPlaneKind;
import io.saferollout.lab.dataplane.KubeProxySync;
import io.saferollout.lab.dataplane.PeriodicReload;
import io.saferollout.lab.dataplane.PropagationDelay;
import io.saferollout.lab.dataplane.PropagationProfile;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One lab's shape: the Kubernetes version it pretends to be, its nodes' data planes, where those
 * listen, and the seed.
 *
 * @param network the simulated nodes: each one's data-plane kind and propagation profile
 * @param proxyHost loopback address every node's Service proxy listens on, or {@code null} for each
 *     node's own address in the lab's loopback range (the default)
 * @param firstProxyPort 0 for free ports, else node i's proxy listens on this port + i
 * @param podNetwork the lab claims the first free 127.N.0.0/16 from N = podNetwork on
 * @param controlPlane the simulated control plane (the default) or the real one, which ignores
 *     {@code serverVersion}: it is the release {@code controlplane/build.sh} built
 */
public record LabSettings(
    String serverVersion,
    Network network,
    String proxyHost,
    int firstProxyPort,
    int podNetwork,
    long seed,
    ControlPlaneKind controlPlane) {

  public LabSettings {
    Objects.requireNonNull(controlPlane, "controlPlane");
    SimulatedVersion.parse(serverVersion);
    Objects.requireNonNull(network, "network");
    if (firstProxyPort < 0 || firstProxyPort + network.nodes().size() - 1 > 65_535) {
      throw new IllegalArgumentException(
          "proxy ports "
              + firstProxyPort
              + ".."
              + (firstProxyPort + network.nodes().size() - 1)
              + " are outside 0-65535");
    }
    if (podNetwork < 1 || podNetwork > 255) {
      throw new IllegalArgumentException(
          "pod network 127."
              + podNetwork
              + ".0.0/16 is not usable: the second octet must be between 1 and 255 (127.0.0.x is reserved)");
    }
    if (proxyHost != null) {
      requireLoopback(proxyHost);
    }
  }

  /**
   * Kubernetes 1.33; three nodes, each a kube-proxy with kube-proxy's own propagation ({@link
   * KubeProxySync#defaults()}).
   */
  public static LabSettings defaults() {
    return new LabSettings(
        "1.33", Network.kubeProxies(3), null, 0, 1, 1, ControlPlaneKind.SIMULATED);
  }

  /** Simulated nodes. */
  public int proxies() {
    return network.nodes().size();
  }

  /**
   * The version nodes report as their kubelet's: {@link Network#kubeletVersion()}, or the server's.
   */
  public String kubeletVersion() {
    // The lab's API server reports gitVersion v{major}.{minor}.0; a kubelet of the same release
    // says the same.
    return network.kubeletVersion() == null
        ? "v" + SimulatedVersion.parse(serverVersion) + ".0"
        : network.kubeletVersion();
  }

  public LabSettings withControlPlane(ControlPlaneKind kind) {
    return new LabSettings(
        serverVersion, network, proxyHost, firstProxyPort, podNetwork, seed, kind);
  }

  public LabSettings withServerVersion(String version) {
    return new LabSettings(
        version, network, proxyHost, firstProxyPort, podNetwork, seed, controlPlane);
  }

  /**
   * Every node's proxy on {@code host} (null: each node's own address), from {@code firstPort} (0:
   * free ports).
   */
  public LabSettings withProxyAddress(String host, int firstPort) {
    return new LabSettings(serverVersion, network, host, firstPort, podNetwork, seed, controlPlane);
  }

  public LabSettings withPodNetwork(int secondOctet) {
    return new LabSettings(
        serverVersion, network, proxyHost, firstProxyPort, secondOctet, seed, controlPlane);
  }

  public LabSettings withSeed(long seed) {
    return new LabSettings(
        serverVersion, network, proxyHost, firstProxyPort, podNetwork, seed, controlPlane);
  }

  public LabSettings withNetwork(Network network) {
    return new LabSettings(
        serverVersion, network, proxyHost, firstProxyPort, podNetwork, seed, controlPlane);
  }

  /**
   * Every node keeps its kind but takes each change after a uniform draw in [min, max]: for tests
   * needing exact bounds.
   */
  public LabSettings withPropagation(Duration min, Duration max) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "propagation delays must satisfy 0 <= min <= max, got " + min + " and " + max);
    }
    PropagationDelay uniform = PropagationDelay.of(min, max.minus(min));
    return withNetwork(
        network.withNodes(
            network.nodes().stream().map(n -> new NodeNetwork(n.kind(), uniform)).toList()));
  }

  /**
   * The lab's nodes as the data plane sees them.
   *
   * @param nodes node i is {@code lab-node-i}
   * @param ingressRetries for {@link DataPlaneKind#INGRESS} nodes: how many other endpoints to try
   *     after a connection error or 502 of an idempotent request (ingress-nginx's
   *     proxy_next_upstream)
   * @param kubeletVersion what the Node objects report as {@code status.nodeInfo.kubeletVersion},
   *     {@code null} for the server's version
   * @param metricsPort the port of each node's {@code /metrics} on the node's own address: 10249,
   *     kube-proxy's {@code --metrics-bind-address} port, or 0 for a free one
   */
  public record Network(
      List<NodeNetwork> nodes, int ingressRetries, String kubeletVersion, int metricsPort) {

    public static final int KUBE_PROXY_METRICS_PORT = 10249;

    public Network {
      nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("the lab needs at least one node");
      }
      if (ingressRetries < 0 || ingressRetries > 10) {
        throw new IllegalArgumentException("ingress retries must be 0-10, got " + ingressRetries);
      }
      if (kubeletVersion != null) {
        SimulatedVersion.parse(kubeletVersion);
      }
      if (metricsPort < 0 || metricsPort > 65_535) {
        throw new IllegalArgumentException("metrics port must be 0-65535, got " + metricsPort);
      }
    }

    /** {@code count} kube-proxy nodes with kube-proxy's default propagation. */
    public static Network kubeProxies(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("the lab needs at least one node, got " + count);
      }
      return of(java.util.Collections.nCopies(count, NodeNetwork.kubeProxy()));
    }

    public static Network of(List<NodeNetwork> nodes) {
      return new Network(nodes, 0, null, KUBE_PROXY_METRICS_PORT);
    }

    public Network withNodes(List<NodeNetwork> replaced) {
      return new Network(replaced, ingressRetries, kubeletVersion, metricsPort);
    }

    public Network withIngressRetries(int retries) {
      return new Network(nodes, retries, kubeletVersion, metricsPort);
    }

    public Network withKubeletVersion(String version) {
      return new Network(nodes, ingressRetries, version, metricsPort);
    }

    public Network withMetricsPort(int port) {
      return new Network(nodes, ingressRetries, kubeletVersion, port);
    }

    /**
     * E.g. {@code 2 x kube-proxy/kube-proxy(...), 1 x kube-proxy/cloud-lb(...)}, for headers and
     * reports.
     */
    public String describe() {
      return nodes.stream()
          .collect(
              Collectors.groupingBy(
                  NodeNetwork::describe, java.util.LinkedHashMap::new, Collectors.counting()))
          .entrySet()
          .stream()
          .map(e -> e.getValue() + " x " + e.getKey())
          .collect(Collectors.joining(", "));
    }
  }

  /** One node: how its proxy balances, and how late changes reach it. */
  public record NodeNetwork(DataPlaneKind kind, PropagationProfile propagation) {

    public NodeNetwork {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(propagation, "propagation");
    }

    public static NodeNetwork kubeProxy() {
      return new NodeNetwork(DataPlaneKind.KUBE_PROXY, KubeProxySync.defaults());
    }

    /**
     * An ingress controller reloading every 3 s, balancing per request. Its reloads are not in the
     * node's kube-proxy metric (see {@link PropagationProfile#inKubeProxyMetric}).
     */
    public static NodeNetwork ingress() {
      return new NodeNetwork(DataPlaneKind.INGRESS, PeriodicReload.defaults());
    }

    /**
     * A cloud load balancer path: connections forwarded per connection, changes 30-35 s late. The
     * deregistration is not in the node's kube-proxy metric (see {@link
     * PropagationProfile#inKubeProxyMetric}).
     */
    public static NodeNetwork cloudLb() {
      return new NodeNetwork(DataPlaneKind.KUBE_PROXY, CloudLbDeregistration.defaults());
    }

    public String describe() {
      return kind.id() + "/" + propagation.describe();
    }
  }

  private static void requireLoopback(String host) {
    boolean loopback;
    try {
      // IPv4 only: the proxies' URLs are built as http://host:port/, and pods live in 127.0.0.0/8
      // anyway.
      InetAddress address = InetAddress.getByName(host);
      loopback = address instanceof java.net.Inet4Address && address.isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          "proxy address '"
              + host
              + "' is not an IPv4 loopback address (127.0.0.0/8): the lab never listens on other interfaces");
    }
  }
}
