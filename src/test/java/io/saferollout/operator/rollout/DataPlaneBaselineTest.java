package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.ActiveRollout;
import io.saferollout.api.NodeHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A rollout's data-plane baseline as the status keeps it: compact enough for a status, and as good
 * as the reading it was made from when the rollout ends.
 */
class DataPlaneBaselineTest {

  /**
   * kube-proxy's bounds for the histogram (pkg/proxy/metrics: 0.25 s, 0.5 s, 1..59 s by 1 s,
   * 60..115 s by 5 s, 120..300 s by 30 s).
   */
  static List<Double> kubeProxyBounds() {
    List<Double> bounds = new ArrayList<>(List.of(0.25, 0.5));
    for (int s = 1; s <= 59; s++) {
      bounds.add((double) s);
    }
    for (int s = 60; s <= 115; s += 5) {
      bounds.add((double) s);
    }
    for (int s = 120; s <= 300; s += 30) {
      bounds.add((double) s);
    }
    bounds.add(Double.POSITIVE_INFINITY);
    return bounds;
  }

  /** A node's counters with {@code observations} made at the given seconds, all before. */
  static CumulativeHistogram node(double... observations) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    double sum = 0;
    for (double le : kubeProxyBounds()) {
      double atOrBelow = 0;
      for (double o : observations) {
        atOrBelow += o <= le ? 1 : 0;
      }
      buckets.put(le, atOrBelow);
    }
    for (double o : observations) {
      sum += o;
    }
    return new CumulativeHistogram(buckets, sum, observations.length);
  }

  static double[] repeat(double seconds, int times, double... more) {
    double[] out = new double[times + more.length];
    Arrays.fill(out, 0, times, seconds);
    System.arraycopy(more, 0, out, times, more.length);
    return out;
  }

  @Test
  void aNodesEightyBucketsAreKeptAsTheFewWhereTheCountGrows() {
    CumulativeHistogram h = node(repeat(0.4, 500, 0.9, 1.5, 1.5, 7.0));

    assertThat(h.buckets()).hasSize(81);
    assertThat(h.compact()).isEqualTo("0.5=500 1=501 2=503 7=504");
  }

  @Test
  void theBaselineReadBackFromTheStatusSubtractsExactlyAsTheReadingItWasMadeFrom() {
    NodeMetricsReader.Reading start =
        new NodeMetricsReader.Reading(
            Map.of(
                "node-a", node(repeat(0.4, 500, 3.0)),
                "node-b", node(repeat(0.8, 40)),
                "node-c", node()),
            List.of());
    NodeMetricsReader.Reading end =
        new NodeMetricsReader.Reading(
            Map.of(
                "node-a", node(repeat(0.4, 500, 3.0, 1.2, 1.7, 2.5)),
                "node-b", node(repeat(0.8, 40, 4.5)),
                "node-c", node(0.3)),
            List.of());

    ActiveRollout kept = new ActiveRollout();
    kept.setDataPlaneBaseline(start.toBaseline());
    // What a restarted operator reads: the status, through JSON.
    ActiveRollout read = Serialization.unmarshal(Serialization.asJson(kept), ActiveRollout.class);
    NodeMetricsReader.Reading restored =
        NodeMetricsReader.Reading.fromBaseline(read.getDataPlaneBaseline());

    assertThat(restored.problems()).isEmpty();
    assertThat(read.getDataPlaneBaseline())
        .extracting(NodeHistogram::getNode)
        .containsExactly("node-a", "node-b", "node-c");
    CumulativeHistogram fromMemory = NodeMetricsReader.between(start, end).total();
    CumulativeHistogram fromStatus = NodeMetricsReader.between(restored, end).total();
    assertThat(fromStatus.count()).isEqualTo(5).isEqualTo(fromMemory.count());
    assertThat(fromStatus.buckets()).isEqualTo(fromMemory.buckets());
    assertThat(fromStatus.sum()).isCloseTo(fromMemory.sum(), within(1e-9));
    assertThat(fromStatus.quantile(0.99)).isEqualTo(fromMemory.quantile(0.99));
    assertThat(fromStatus.maxUpperBound()).contains(5.0);
  }

  @Test
  void aKubeProxyRestartedSinceTheBaselineCountsFromZero() {
    CumulativeHistogram before = node(repeat(0.4, 500));
    CumulativeHistogram restarted = node(1.5, 2.5);
    CumulativeHistogram kept =
        CumulativeHistogram.ofCompact(before.compact(), before.sum(), before.count());

    assertThat(restarted.since(kept)).isEqualTo(restarted);
  }

  @Test
  void anEntryThatCannotBeReadBackIsLeftOutAndNamed() {
    NodeMetricsReader.Reading restored =
        NodeMetricsReader.Reading.fromBaseline(
            List.of(
                new NodeHistogram("node-a", 3, 1.2, "0.5=3"),
                new NodeHistogram("node-b", 3, 1.2, "0.5:3")));

    assertThat(restored.byNode()).containsOnlyKeys("node-a");
    assertThat(restored.problems())
        .singleElement()
        .satisfies(p -> assertThat(p).contains("node-b").contains("'0.5:3' is not le=count"));
  }

  @Test
  void theStatusKeepsOneTotalWhateverTheNodeCount() {
    ActiveRollout five = new ActiveRollout();
    five.setDataPlaneBaselineTotal(nodes(5, 0).total());
    ActiveRollout fiveHundred = new ActiveRollout();
    fiveHundred.setDataPlaneBaselineTotal(nodes(500, 0).total());

    // 500 nodes of 500 syncs within 0.5 s and one of 3 s: 250,000 and 500 more.
    assertThat(fiveHundred.getDataPlaneBaselineTotal().getBuckets())
        .isEqualTo("0.5=250000 3=250500");
    assertThat(fiveHundred.getDataPlaneBaselineTotal().getNodes()).isEqualTo(500);
    // The same few fields: only the counts' digits grow with the node count.
    assertThat(Serialization.asJson(fiveHundred).length())
        .isLessThan(Serialization.asJson(five).length() + 20)
        .isLessThan(400);
  }

  @Test
  void theTotalSubtractsAsEachNodesCountersDo() {
    NodeMetricsReader.Reading start = nodes(3, 0);
    NodeMetricsReader.Reading end = nodes(3, 2);
    ActiveRollout kept = new ActiveRollout();
    kept.setDataPlaneBaselineTotal(start.total());
    ActiveRollout read = Serialization.unmarshal(Serialization.asJson(kept), ActiveRollout.class);

    var fromStatus = NodeMetricsReader.since(read.getDataPlaneBaselineTotal(), end).orElseThrow();
    var fromMemory = NodeMetricsReader.between(start, end);
    // Each of 3 nodes made 2 more syncs of 1.5 s: 6 observations, all in the (1, 2] bucket.
    assertThat(fromStatus.nodes()).isEqualTo(3).isEqualTo(fromMemory.nodes());
    assertThat(fromStatus.total().count()).isEqualTo(6).isEqualTo(fromMemory.total().count());
    assertThat(fromStatus.total().compact())
        .isEqualTo("2=6")
        .isEqualTo(fromMemory.total().compact());
  }

  @Test
  void aNodeThatJoinedOrAKubeProxyThatRestartedLeavesTheTotalUnsubtracted() {
    NodeMetricsReader.Reading start = nodes(3, 0);
    assertThat(NodeMetricsReader.since(start.total(), nodes(4, 2))).as("a node joined").isEmpty();
    Map<String, String> restarted = new HashMap<>(start.processes());
    restarted.put("node-2", "1765155600");
    NodeMetricsReader.Reading afterRestart =
        new NodeMetricsReader.Reading(nodes(3, 2).byNode(), List.of(), restarted);
    assertThat(NodeMetricsReader.since(start.total(), afterRestart))
        .as("node-2's kube-proxy restarted")
        .isEmpty();
  }

  /**
   * {@code count} nodes, each with 500 syncs within 0.5 s, one of 3 s and {@code more} of 1.5 s;
   * every kube-proxy started at the same moment.
   */
  private static NodeMetricsReader.Reading nodes(int count, int more) {
    Map<String, CumulativeHistogram> byNode = new HashMap<>();
    Map<String, String> processes = new HashMap<>();
    double[] extra = new double[more + 1];
    extra[0] = 3.0;
    Arrays.fill(extra, 1, more + 1, 1.5);
    for (int i = 1; i <= count; i++) {
      byNode.put("node-" + i, node(repeat(0.4, 500, extra)));
      processes.put("node-" + i, "1765152000");
    }
    return new NodeMetricsReader.Reading(byNode, List.of(), processes);
  }
}
