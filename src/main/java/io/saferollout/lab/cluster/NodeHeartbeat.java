package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the real control plane, what the kubelet does for its nodes besides running pods: registers
 * each Node (Ready, with capacity for the lab's pods, its addresses and the control plane's version
 * as its kubelet's) and keeps the Node's Lease in {@code kube-node-lease} fresh, renewing it every
 * 10 s with a 40 s duration, as the kubelet does (KEP-589, nodeLeaseDurationSeconds 40, renewal at
 * a quarter of it). Without a fresh Lease a node lifecycle controller would take the node for dead;
 * the lab's control plane runs none, but a fake kubelet must not depend on that.
 */
final class NodeHeartbeat implements AutoCloseable {

  static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
  static final Duration LEASE_DURATION = Duration.ofSeconds(40);
  static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);
  static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";

  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);

  private final KubernetesClient client;
  private final Map<String, String> nodes;
  private final String kubeletVersion;
  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(1, Kubelet.named("lab-node-lease"));

  NodeHeartbeat(KubernetesClient client, Map<String, String> nodes, String kubeletVersion) {
    this.client = client;
    this.nodes = nodes;
    this.kubeletVersion = kubeletVersion;
  }

  /** Registers the nodes and their Leases, then renews the Leases every {@link #RENEW_INTERVAL}. */
  void start() {
    List<String> names = new ArrayList<>(nodes.keySet());
    names.sort(null);
    for (String name : names) {
      Node node = client.nodes().resource(node(name, nodes.get(name), kubeletVersion)).create();
      node = untaint(node);
      client.leases().inNamespace(NODE_LEASE_NAMESPACE).resource(lease(node)).create();
    }
    timer.scheduleWithFixedDelay(
        this::renewAll,
        RENEW_INTERVAL.toMillis(),
        RENEW_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * The API server's TaintNodesByCondition admission gives every new Node the {@value
   * #NOT_READY_TAINT} NoSchedule taint; on a cluster the node lifecycle controller lifts it once
   * the Node reports Ready. The lab's control plane runs no node lifecycle controller (see {@link
   * io.saferollout.lab.controlplane.ControlPlane#CONTROLLERS}), so the kubelet, which alone judges
   * its nodes here, lifts it itself.
   */
  private Node untaint(Node node) {
    if (node.getSpec() == null
        || node.getSpec().getTaints().stream().noneMatch(t -> NOT_READY_TAINT.equals(t.getKey()))) {
      return node;
    }
    return client
        .nodes()
        .withName(node.getMetadata().getName())
        .edit(
            n -> {
              n.getSpec().getTaints().removeIf(t -> NOT_READY_TAINT.equals(t.getKey()));
              return n;
            });
  }

  /**
   * The Node as a kubelet registers it (https://kubernetes.io/docs/reference/node/node-status/).
   */
  static Node node(String name, String internalIp, String kubeletVersion) {
    // Requests of a few hundred lab pods fit; nothing here is a real machine's size.
    Map<String, Quantity> capacity =
        Map.of(
            "cpu", new Quantity("64"),
            "memory", new Quantity("256Gi"),
            "pods", new Quantity("500"),
            "ephemeral-storage", new Quantity("1Ti"));
    return new NodeBuilder(LabNodes.node(name, internalIp, kubeletVersion))
        .editStatus()
        .withCapacity(capacity)
        .withAllocatable(capacity)
        .endStatus()
        .build();
  }

  private static Lease lease(Node node) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(node.getMetadata().getName())
        .withNamespace(NODE_LEASE_NAMESPACE)
        // As the kubelet does: the Lease goes with its Node.
        .addNewOwnerReference()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(node.getMetadata().getName())
        .withUid(node.getMetadata().getUid())
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(node.getMetadata().getName())
        .withLeaseDurationSeconds((int) LEASE_DURATION.toSeconds())
        .withRenewTime(now())
        .endSpec()
        .build();
  }

  private void renewAll() {
    for (String name : nodes.keySet()) {
      try {
        client
            .leases()
            .inNamespace(NODE_LEASE_NAMESPACE)
            .withName(name)
            .edit(
                l -> {
                  l.getSpec().setRenewTime(now());
                  return l;
                });
      } catch (KubernetesClientException e) {
        // The next renewal retries; a Lease missed once is still within its 40 s.
        LOG.warn("renewing node {}'s Lease failed: {}", name, e.getMessage());
      }
    }
  }

  private static ZonedDateTime now() {
    return ZonedDateTime.now(ZoneOffset.UTC);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("the node lease timer did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
