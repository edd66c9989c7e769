package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.ActiveRollout;
import io.saferollout.api.NodeHistogram;
import java.util.ArrayList;
import java.util.Arrays;
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
}
