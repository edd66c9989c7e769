package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * kube-proxy's {@code kubeproxy_network_programming_duration_seconds}: from the {@code
 * endpoints.kubernetes.io/last-change-trigger-time} of a change to the moment this node's rules
 * carry it. Name, help and buckets as in kubernetes/kubernetes pkg/proxy/metrics/metrics.go
 * (NetworkProgrammingLatency): a leading 0 bucket (its merge() starts from a zero-filled slice),
 * 0.25 s and 0.5 s, every second from 1 to 59 s, every 5 s from 60 to 115 s, every 30 s from 120 to
 * 300 s. Written out in Prometheus' text format (version 0.0.4) as the Go client writes it.
 */
public final class NetworkProgrammingHistogram {

  public static final String NAME = "kubeproxy_network_programming_duration_seconds";
  static final String HELP = "[ALPHA] In Cluster Network Programming Latency in seconds";
  static final List<Double> BUCKETS = buckets();

  private final long[] counts = new long[BUCKETS.size()];
  private final List<Double> observed = new ArrayList<>();
  private double sum;

  private static List<Double> buckets() {
    List<Double> b = new ArrayList<>();
    b.add(0.0);
    b.add(0.25);
    b.add(0.5);
    for (int s = 1; s <= 59; s++) {
      b.add((double) s);
    }
    for (int s = 60; s <= 115; s += 5) {
      b.add((double) s);
    }
    for (int s = 120; s <= 300; s += 30) {
      b.add((double) s);
    }
    return List.copyOf(b);
  }

  /**
   * One change applied. As in Go's histogram, a value counts in every bucket at or above it (a
   * negative one, from clocks that disagree, lands in the 0 bucket).
   */
  public synchronized void observe(Duration d) {
    double seconds = d.toNanos() / 1e9;
    observed.add(seconds);
    sum += seconds;
    for (int i = 0; i < BUCKETS.size(); i++) {
      if (seconds <= BUCKETS.get(i)) {
        counts[i]++;
      }
    }
  }

  public synchronized long count() {
    return observed.size();
  }

  public synchronized double sum() {
    return sum;
  }

  /** Every observation in seconds, in order. */
  public synchronized List<Double> observations() {
    return Collections.unmodifiableList(new ArrayList<>(observed));
  }

  /** The metric family in Prometheus text format, ending with a newline. */
  public synchronized String prometheusText() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP ").append(NAME).append(' ').append(HELP).append('\n');
    out.append("# TYPE ").append(NAME).append(" histogram\n");
    for (int i = 0; i < BUCKETS.size(); i++) {
      out.append(NAME)
          .append("_bucket{le=\"")
          .append(number(BUCKETS.get(i)))
          .append("\"} ")
          .append(counts[i])
          .append('\n');
    }
    out.append(NAME).append("_bucket{le=\"+Inf\"} ").append(observed.size()).append('\n');
    out.append(NAME).append("_sum ").append(number(sum)).append('\n');
    out.append(NAME).append("_count ").append(observed.size()).append('\n');
    return out.toString();
  }

  /**
   * Go's strconv.FormatFloat(v, 'g', -1, 64) for the values used here: 0, 0.25, 1, 115, 1.234,
   * 0.0001.
   */
  static String number(double v) {
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
