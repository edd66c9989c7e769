package io.saferollout.operator.rollout;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.saferollout.api.ActiveRollout;
import io.saferollout.api.DataPlaneBaseline;
import io.saferollout.api.NodeHistogram;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads kube-proxy's network-programming histogram from every node: kube-proxy serves its metrics
 * on the node (--metrics-bind-address, port 10249 by default). The address comes from a template
 * over the Node's InternalIP, so the same code reads a cluster and the lab.
 */
final class NodeMetricsReader {
  static final String HISTOGRAM = "kubeproxy_network_programming_duration_seconds";

  /** Exported by every Go process's Prometheus client: a restart changes it. */
  static final String PROCESS_START = "process_start_time_seconds";

  private static final Logger LOG = LoggerFactory.getLogger(NodeMetricsReader.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /**
   * The nodes' histograms, by node name, and what could not be read; {@code processes} names each
   * node's kube-proxy process (its process_start_time_seconds, empty where not exported), so that a
   * restart shows as a different node set.
   */
  record Reading(
      Map<String, CumulativeHistogram> byNode,
      List<String> problems,
      Map<String, String> processes) {

    Reading(Map<String, CumulativeHistogram> byNode, List<String> problems) {
      this(byNode, problems, Map.of());
    }

    /** Every node added together, with a fingerprint of which nodes and processes they were. */
    DataPlaneBaseline total() {
      CumulativeHistogram total =
          byNode.values().stream().reduce(CumulativeHistogram.EMPTY, CumulativeHistogram::plus);
      DataPlaneBaseline b = new DataPlaneBaseline();
      b.setNodes(byNode.size());
      b.setNodeSet(nodeSet());
      b.setCount(total.count());
      b.setSum(total.sum());
      b.setBuckets(total.compact());
      return b;
    }

    /**
     * Order-independent: the sum of a 64-bit hash of each node name with its kube-proxy process.
     */
    String nodeSet() {
      long acc = 0;
      for (String node : byNode.keySet()) {
        acc += hash64(node + "@" + processes.getOrDefault(node, ""));
      }
      return Long.toHexString(acc);
    }

    /**
     * The reading as a rollout's status keeps it ({@link ActiveRollout#getDataPlaneBaseline}),
     * nodes in name order so that the same reading is written the same way.
     */
    List<NodeHistogram> toBaseline() {
      return byNode.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .map(
              e ->
                  new NodeHistogram(
                      e.getKey(), e.getValue().count(), e.getValue().sum(), e.getValue().compact()))
          .toList();
    }

    /**
     * The reading a status kept. A node whose entry cannot be read back is left out, as a node that
     * did not answer at the start is: the figures are then over the other nodes.
     */
    static Reading fromBaseline(List<NodeHistogram> baseline) {
      Map<String, CumulativeHistogram> byNode = new HashMap<>();
      List<String> problems = new ArrayList<>();
      for (NodeHistogram n : baseline) {
        if (n.getNode() == null || n.getCount() == null) {
          problems.add("baseline entry without node or count: " + n.getNode());
          continue;
        }
        try {
          byNode.put(
              n.getNode(),
              CumulativeHistogram.ofCompact(
                  n.getBuckets() == null ? "" : n.getBuckets(),
                  n.getSum() == null ? 0 : n.getSum(),
                  n.getCount()));
        } catch (IllegalArgumentException e) {
          problems.add("baseline of node " + n.getNode() + ": " + e.getMessage());
        }
      }
      return new Reading(byNode, problems);
    }
  }

  private final HttpClient http;

  NodeMetricsReader(HttpClient http) {
    this.http = http;
  }

  Reading read(List<Node> nodes, String urlTemplate) {
    Map<String, CompletableFuture<String>> pages = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Node n : nodes) {
      Optional<String> ip = internalIp(n);
      if (ip.isEmpty()) {
        problems.add("node " + n.getMetadata().getName() + " has no InternalIP");
        continue;
      }
      URI uri;
      try {
        uri = URI.create(urlTemplate.replace("{nodeIP}", ip.get()));
      } catch (IllegalArgumentException e) {
        problems.add(
            "metricsUrlTemplate gives no valid URL for node "
                + n.getMetadata().getName()
                + ": "
                + e.getMessage());
        continue;
      }
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
      pages.put(
          n.getMetadata().getName(),
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .thenApply(
                  r -> {
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException(uri + " answered " + r.statusCode());
                    }
                    return r.body();
                  }));
    }
    Map<String, CumulativeHistogram> byNode = new HashMap<>();
    Map<String, String> processes = new HashMap<>();
    pages.forEach(
        (node, page) -> {
          try {
            String text = page.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            List<PrometheusText.Sample> samples = PrometheusText.parse(text);
            samples.stream()
                .filter(x -> x.name().equals(PROCESS_START))
                .findFirst()
                .ifPresent(x -> processes.put(node, String.valueOf(x.value())));
            CumulativeHistogram.of(samples, HISTOGRAM)
                .ifPresentOrElse(
                    h -> byNode.put(node, h),
                    () -> problems.add("node " + node + " exports no " + HISTOGRAM));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted reading node " + node);
          } catch (Exception e) {
            page.cancel(true);
            String why = e.getCause() != null ? e.getCause().toString() : e.toString();
            problems.add("node " + node + ": " + why);
          }
        });
    if (!problems.isEmpty()) {
      // Debug: the observer logs a change of readability once, at WARN under Auto.
      LOG.debug(
          "kube-proxy metrics unreadable on {} of {} node(s): {}",
          problems.size(),
          nodes.size(),
          DataPlaneWatch.summary(problems));
    }
    return new Reading(byNode, problems, processes);
  }

  /**
   * The observations since a total the status kept, when the end reads the same nodes and
   * kube-proxy processes; empty when a node joined, left, went unread or restarted (its counters
   * would then be subtracted from another set's), or a counter went down.
   */
  static Optional<Between> since(DataPlaneBaseline start, Reading end) {
    DataPlaneBaseline now = end.total();
    if (start.getNodeSet() == null || !start.getNodeSet().equals(now.getNodeSet())) {
      return Optional.empty();
    }
    CumulativeHistogram before =
        CumulativeHistogram.ofCompact(
            start.getBuckets() == null ? "" : start.getBuckets(),
            start.getSum() == null ? 0 : start.getSum(),
            start.getCount() == null ? 0 : start.getCount());
    CumulativeHistogram after =
        CumulativeHistogram.ofCompact(now.getBuckets(), now.getSum(), now.getCount());
    return after.increaseSince(before).map(h -> new Between(h, now.getNodes()));
  }

  /** The observations between two readings, added up over the {@code nodes} both saw. */
  record Between(CumulativeHistogram total, int nodes) {}

  static Between between(Reading start, Reading end) {
    CumulativeHistogram total = CumulativeHistogram.EMPTY;
    int nodes = 0;
    for (Map.Entry<String, CumulativeHistogram> e : end.byNode().entrySet()) {
      CumulativeHistogram before = start.byNode().get(e.getKey());
      if (before != null) {
        total = total.plus(e.getValue().since(before));
        nodes++;
      }
    }
    return new Between(total, nodes);
  }

  private static long hash64(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(d).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Optional<String> internalIp(Node n) {
    if (n.getStatus() == null) {
      return Optional.empty();
    }
    return n.getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .findFirst();
  }
}
