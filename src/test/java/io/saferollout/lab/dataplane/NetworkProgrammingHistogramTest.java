package io.saferollout.lab.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The histogram reads exactly as kube-proxy's /metrics shows it. */
class NetworkProgrammingHistogramTest {

  private static final String NAME = "kubeproxy_network_programming_duration_seconds";

  @Test
  void bucketsAreKubeProxys() {
    // pkg/proxy/metrics: merge(LinearBuckets(0.25, 0.25, 2), LinearBuckets(1, 1, 59),
    // LinearBuckets(60, 5, 12), LinearBuckets(120, 30, 7)) after a leading 0.
    assertThat(NetworkProgrammingHistogram.BUCKETS)
        .hasSize(1 + 2 + 59 + 12 + 7)
        .startsWith(0.0, 0.25, 0.5, 1.0, 2.0)
        .contains(59.0, 60.0, 65.0, 115.0, 120.0, 150.0)
        .endsWith(270.0, 300.0)
        .isSorted();
  }

  @Test
  void textIsPrometheusExpositionWithCumulativeBuckets() {
    NetworkProgrammingHistogram histogram = new NetworkProgrammingHistogram();
    histogram.observe(Duration.ofMillis(200));
    histogram.observe(Duration.ofMillis(1_500));
    histogram.observe(Duration.ofSeconds(61));

    List<String> lines = histogram.prometheusText().lines().toList();

    assertThat(lines.get(0))
        .isEqualTo("# HELP " + NAME + " [ALPHA] In Cluster Network Programming Latency in seconds");
    assertThat(lines.get(1)).isEqualTo("# TYPE " + NAME + " histogram");
    assertThat(lines)
        .contains(
            NAME + "_bucket{le=\"0\"} 0",
            NAME + "_bucket{le=\"0.25\"} 1",
            NAME + "_bucket{le=\"1\"} 1",
            NAME + "_bucket{le=\"2\"} 2",
            NAME + "_bucket{le=\"60\"} 2",
            NAME + "_bucket{le=\"65\"} 3",
            NAME + "_bucket{le=\"300\"} 3",
            NAME + "_bucket{le=\"+Inf\"} 3",
            NAME + "_sum 62.7",
            NAME + "_count 3");
    assertThat(lines).hasSize(2 + 81 + 1 + 2);
  }

  @Test
  void anEmptyHistogramStillExposesEveryBucket() {
    String text = new NetworkProgrammingHistogram().prometheusText();
    assertThat(text)
        .contains(NAME + "_bucket{le=\"0.5\"} 0\n", NAME + "_sum 0\n", NAME + "_count 0\n");
  }
}
