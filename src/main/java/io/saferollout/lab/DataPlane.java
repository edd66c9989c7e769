package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.saferollout.lab.cluster.PodAddresses;
import io.saferollout.lab.dataplane.ConnectionProxy;
import io.saferollout.lab.dataplane.DataPlaneKind;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.dataplane.NodeMetricsServer;
import io.saferollout.lab.dataplane.NodeProxy;
import io.saferollout.lab.dataplane.ProxySettings;
import io.saferollout.lab.dataplane.ServiceProxy;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's nodes' data planes: one {@link NodeProxy} per simulated node (a kube-proxy forwarding
 * connections, or an ingress-like proxy forwarding requests), each with its kube-proxy metrics
 * endpoint, all fed from one informer on the Service's EndpointSlices. Each node applies a change
 * when its own propagation profile says, so nodes disagree for a while about which pods are in the
 * Service, as they do on a cluster.
 */
public final class DataPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** Set by the EndpointSlice controller; kube-proxy measures network programming from it. */
  static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

  /**
   * One node to start.
   *
   * @param metricsHost the node's own address, where {@code /metrics} is served
   * @param metricsPort 10249 as kube-proxy, 0 for a free port
   */
  public record Node(DataPlaneKind kind, ProxySettings proxy, String metricsHost, int metricsPort) {
    public Node {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(proxy, "proxy");
      Objects.requireNonNull(metricsHost, "metricsHost");
    }
  }

  private final List<NodeProxy> proxies = new ArrayList<>();
  private final List<NodeMetricsServer> metrics = new ArrayList<>();
  private volatile SharedIndexInformer<EndpointSlice> informer;
  private volatile PodAddresses podAddresses = PodAddresses.identity();
  private Set<InetSocketAddress> lastHandedOut;

  private DataPlane() {}

  /**
   * Starts the nodes' proxies and metrics; the proxies route nothing until {@link #follow} gives
   * them endpoints.
   *
   * @throws IllegalStateException when a proxy cannot listen (address not local, port in use)
   */
  public static DataPlane start(
      Vertx vertx, List<Node> nodes, Consumer<EndpointSetApplied> onApplied) {
    DataPlane plane = new DataPlane();
    try {
      for (Node node : nodes) {
        NodeProxy proxy =
            node.kind() == DataPlaneKind.KUBE_PROXY
                ? ConnectionProxy.start(vertx, node.proxy())
                : ServiceProxy.start(vertx, node.proxy());
        plane.proxies.add(proxy);
        proxy.onEndpointsApplied(onApplied);
        plane.metrics.add(
            NodeMetricsServer.start(
                vertx, node.metricsHost(), node.metricsPort(), proxy.networkProgramming()));
      }
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
    return plane;
  }

  /** Feeds every proxy from the Service's EndpointSlices from now on; once only. */
  public void follow(KubernetesClient client, String namespace, String service) {
    follow(client, namespace, service, PodAddresses.identity());
  }

  /**
   * As {@link #follow(KubernetesClient, String, String)}, with endpoint addresses read through the
   * lab's pod address mapping (the real control plane's pods show 198.18.a.b).
   */
  public void follow(
      KubernetesClient client, String namespace, String service, PodAddresses addresses) {
    SharedIndexInformer<EndpointSlice> created;
    synchronized (this) {
      if (informer != null) {
        throw new IllegalStateException("the data plane already follows a Service");
      }
      podAddresses = Objects.requireNonNull(addresses, "addresses");
      created =
          client
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(namespace)
              .withLabel(SERVICE_NAME_LABEL, service)
              .runnableInformer(0);
      created.addEventHandler(handler());
      informer = created;
    }
    // Not under the lock: the first events may be handled (in changed()) while start() waits.
    try {
      created.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting to watch EndpointSlices", e);
    } catch (Exception e) {
      throw new IllegalStateException("the data plane could not watch EndpointSlices: " + e, e);
    }
  }

  public List<NodeProxy> proxies() {
    return List.copyOf(proxies);
  }

  /**
   * Where clients send: one URL per node, as a NodePort or an external load balancer would spread
   * them.
   */
  public List<URI> urls() {
    return proxies.stream().map(NodeProxy::url).toList();
  }

  /** Each node's kube-proxy metrics URL, in node order. */
  public List<URI> metricsUrls() {
    return metrics.stream().map(NodeMetricsServer::url).toList();
  }

  /**
   * Each node's measured propagation delays (change heard to change applied), by node name, in node
   * order.
   */
  public Map<String, List<Duration>> measuredDelays() {
    Map<String, List<Duration>> byNode = new LinkedHashMap<>();
    proxies.forEach(p -> byNode.put(p.name(), p.measuredDelays()));
    return byNode;
  }

  /**
   * Whether every node routes to the same non-empty endpoint set the EndpointSlices give now:
   * measuring before this would count a node that has not yet heard of the pods at all.
   */
  public synchronized boolean converged() {
    Set<InetSocketAddress> current = lastHandedOut;
    return current != null
        && !current.isEmpty()
        && proxies.stream().allMatch(p -> p.knownEndpoints().equals(current));
  }

  private ResourceEventHandler<EndpointSlice> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(EndpointSlice slice) {
        changed(slice);
      }

      @Override
      public void onUpdate(EndpointSlice before, EndpointSlice after) {
        changed(after);
      }

      @Override
      public void onDelete(EndpointSlice slice, boolean unknownFinalState) {
        changed(null);
      }
    };
  }

  /** Called on the informer's single event thread, so updates reach the proxies in order. */
  private synchronized void changed(EndpointSlice slice) {
    Set<InetSocketAddress> routable;
    try {
      routable = RoutableEndpoints.of(informer.getStore().list(), podAddresses);
    } catch (IllegalArgumentException e) {
      // Routing to an address the lab does not own could send traffic off this machine.
      LOG.error("EndpointSlice change not applied: {}", e.getMessage());
      return;
    }
    if (routable.equals(lastHandedOut)) {
      return;
    }
    lastHandedOut = routable;
    Instant triggeredAt = slice == null ? null : triggerTime(slice);
    LOG.debug("endpoints now {} (triggered at {})", routable, triggeredAt);
    proxies.forEach(p -> p.update(routable, triggeredAt));
  }

  /**
   * Absent or unreadable: kube-proxy then observes nothing for the change
   * (pkg/proxy/endpointslicecache.go).
   */
  static Instant triggerTime(EndpointSlice slice) {
    Map<String, String> annotations = slice.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(TRIGGER_TIME_ANNOTATION);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      LOG.warn(
          "EndpointSlice {} has an unreadable {}: '{}'",
          slice.getMetadata().getName(),
          TRIGGER_TIME_ANNOTATION,
          value);
      return null;
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    proxies.forEach(NodeProxy::close);
    metrics.forEach(NodeMetricsServer::close);
  }
}
