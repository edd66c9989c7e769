package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  static final String KUBE_PROXY_PAGE =
      """
      # HELP kubeproxy_network_programming_duration_seconds [ALPHA] In Cluster Network Programming Latency in seconds
      # TYPE kubeproxy_network_programming_duration_seconds histogram
      kubeproxy_network_programming_duration_seconds_bucket{le="0.25"} 0
      kubeproxy_network_programming_duration_seconds_bucket{le="0.5"} 2
      kubeproxy_network_programming_duration_seconds_bucket{le="1"} 10
      kubeproxy_network_programming_duration_seconds_bucket{le="2"} 18
      kubeproxy_network_programming_duration_seconds_bucket{le="5"} 20
      kubeproxy_network_programming_duration_seconds_bucket{le="+Inf"} 20
      kubeproxy_network_programming_duration_seconds_sum 21.5
      kubeproxy_network_programming_duration_seconds_count 20
      # TYPE process_start_time_seconds gauge
      process_start_time_seconds 1.7e+09
      rest_client_requests_total{code="200",host="10.0.0.1:6443",method="GET"} 1234 1700000000000
      """;

  static final String HISTOGRAM = "kubeproxy_network_programming_duration_seconds";

  @Test
  void readsEverySampleWithItsLabelsAndIgnoresTimestampsAndComments() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(KUBE_PROXY_PAGE);
    assertThat(samples).hasSize(10);
    assertThat(samples.get(5).labels()).containsEntry("le", "+Inf");
    assertThat(samples.get(8).value()).isEqualTo(1.7e9);
    assertThat(samples.get(9).labels())
        .containsEntry("host", "10.0.0.1:6443")
        .containsEntry("method", "GET");
    assertThat(samples.get(9).value()).isEqualTo(1234);
  }

  @Test
  void unescapesQuotesBackslashesAndNewlinesInLabelValues() {
    var s = PrometheusText.parse("m{path=\"a\\\"b\\\\c\\nd\", other = \"x\" ,} NaN").get(0);
    assertThat(s.labels()).containsEntry("path", "a\"b\\c\nd").containsEntry("other", "x");
    assertThat(s.value()).isNaN();
  }

  @Test
  void aMalformedLineIsNamedByItsNumber() {
    assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{le=\"1\" 3\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metrics line 2");
    assertThatThrownBy(() -> PrometheusText.parse("m one"))
        .hasMessageContaining("'one' is not a number");
    assertThatThrownBy(() -> PrometheusText.parse("m{le=\"1} 3"))
        .hasMessageContaining("unterminated value of label le");
  }

  @Test
  void histogramQuantilesInterpolateInsideTheBucketLikePromQL() {
    CumulativeHistogram h =
        CumulativeHistogram.of(PrometheusText.parse(KUBE_PROXY_PAGE), HISTOGRAM).orElseThrow();
    assertThat(h.count()).isEqualTo(20);
    assertThat(h.sum()).isEqualTo(21.5);
    // rank 10 of 20 falls exactly at the top of the (0.5, 1] bucket
    assertThat(h.quantile(0.5)).hasValueSatisfying(v -> assertThat(v).isCloseTo(1.0, within(1e-9)));
    // rank 19.8: the (2, 5] bucket holds ranks 18-20, so 2 + 3 * (1.8 / 2)
    assertThat(h.quantile(0.99))
        .hasValueSatisfying(v -> assertThat(v).isCloseTo(4.7, within(1e-9)));
    assertThat(h.maxUpperBound()).contains(5.0);
    assertThat(CumulativeHistogram.of(PrometheusText.parse(KUBE_PROXY_PAGE), "absent_metric"))
        .isEmpty();
  }

  @Test
  void theDeltaBetweenTwoReadingsHoldsOnlyTheNewObservations() {
    CumulativeHistogram before = histogram(0, 2, 10, 18, 20, 20, 21.5);
    CumulativeHistogram after = histogram(0, 2, 10, 18, 25, 25, 40.0);
    CumulativeHistogram delta = after.since(before);
    assertThat(delta.count()).isEqualTo(5);
    assertThat(delta.sum()).isEqualTo(18.5);
    // all five new observations are in (2, 5]
    assertThat(delta.quantile(0.5).orElseThrow()).isBetween(2.0, 5.0);
    assertThat(delta.maxUpperBound()).contains(5.0);
  }

  @Test
  void aCounterResetMeansTheLaterReadingIsItselfTheIncrease() {
    CumulativeHistogram before = histogram(0, 2, 10, 18, 20, 20, 21.5);
    CumulativeHistogram restarted = histogram(0, 1, 3, 3, 3, 3, 2.0);
    assertThat(restarted.since(before)).isEqualTo(restarted);
    assertThat(restarted.since(before).count()).isEqualTo(3);
  }

  @Test
  void nodesAddUpAndObservationsBeyondTheLastBoundReportThatBound() {
    CumulativeHistogram a = histogram(0, 0, 1, 1, 1, 1, 0.8);
    CumulativeHistogram b = histogram(0, 0, 0, 0, 0, 1, 9.0);
    CumulativeHistogram both = a.plus(b);
    assertThat(both.count()).isEqualTo(2);
    assertThat(both.quantile(0.99)).contains(5.0);
    assertThat(both.maxUpperBound()).contains(5.0);
    assertThat(CumulativeHistogram.EMPTY.quantile(0.5)).isEmpty();
  }

  @Test
  void aPrometheusQueryAnswerIsReadAsSeconds() {
    assertThat(
            PrometheusQuery.firstValue(
                """
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764313200.1,"0.42"]}]}}
        """))
        .contains(0.42);
    assertThat(
            PrometheusQuery.firstValue(
                """
        {"status":"success","data":{"resultType":"scalar","result":[1764313200.1,"1.5"]}}
        """))
        .contains(1.5);
    assertThat(
            PrometheusQuery.firstValue(
                """
        {"status":"success","data":{"resultType":"vector","result":[]}}
        """))
        .isEmpty();
    assertThat(
            PrometheusQuery.firstValue(
                """
        {"status":"success","data":{"resultType":"vector","result":[{"value":[1,"NaN"]}]}}
        """))
        .as("no observations in the range")
        .isEmpty();
    assertThatThrownBy(() -> PrometheusQuery.firstValue("<html>")).hasMessageContaining("not JSON");
  }

  private static CumulativeHistogram histogram(
      double b025, double b05, double b1, double b2, double b5, double inf, double sum) {
    String page =
        """
        m_bucket{le="0.25"} %s
        m_bucket{le="0.5"} %s
        m_bucket{le="1"} %s
        m_bucket{le="2"} %s
        m_bucket{le="5"} %s
        m_bucket{le="+Inf"} %s
        m_sum %s
        m_count %s
        """
            .formatted(b025, b05, b1, b2, b5, inf, sum, inf);
    return CumulativeHistogram.of(PrometheusText.parse(page), "m").orElseThrow();
  }
}
