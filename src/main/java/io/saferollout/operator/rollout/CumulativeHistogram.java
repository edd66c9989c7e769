package io.saferollout.operator.rollout;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Prometheus histogram as its counters: cumulative bucket counts by upper bound ({@code le}),
 * {@code _sum} and {@code _count}. Counters only grow until the process restarts, so the
 * observations between two readings are their difference, unless a counter went down, in which case
 * the process restarted and the later reading is itself the increase (as Prometheus' {@code
 * increase()} treats a reset).
 */
record CumulativeHistogram(NavigableMap<Double, Double> buckets, double sum, double count) {

  static final CumulativeHistogram EMPTY = new CumulativeHistogram(new TreeMap<>(), 0, 0);

  CumulativeHistogram {
    buckets = new TreeMap<>(buckets);
  }

  /**
   * The histogram {@code name} on a metrics page, every series of it added together (kube-proxy
   * exports one series; other exporters may split by label). Empty when the page has none.
   */
  static Optional<CumulativeHistogram> of(List<PrometheusText.Sample> samples, String name) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    double sum = 0;
    double count = 0;
    boolean found = false;
    for (PrometheusText.Sample s : samples) {
      if (s.name().equals(name + "_bucket")) {
        String le = s.labels().get("le");
        if (le == null) {
          throw new IllegalArgumentException(name + "_bucket sample without an le label");
        }
        buckets.merge(PrometheusText.parseValue(le), s.value(), Double::sum);
        found = true;
      } else if (s.name().equals(name + "_sum")) {
        sum += s.value();
        found = true;
      } else if (s.name().equals(name + "_count")) {
        count += s.value();
        found = true;
      }
    }
    return found ? Optional.of(new CumulativeHistogram(buckets, sum, count)) : Optional.empty();
  }

  /** The observations made since {@code earlier}, a reading of the same process's counters. */
  CumulativeHistogram since(CumulativeHistogram earlier) {
    if (wentDownSince(earlier)) {
      return this;
    }
    TreeMap<Double, Double> delta = new TreeMap<>();
    buckets.forEach((le, c) -> delta.put(le, c - earlier.cumulativeAt(le)));
    return new CumulativeHistogram(delta, sum - earlier.sum, count - earlier.count);
  }

  /**
   * The observations since {@code earlier}, or empty when a counter went down: in a total over many
   * nodes a decrease means one node's process restarted, and the increase cannot be told apart.
   */
  Optional<CumulativeHistogram> increaseSince(CumulativeHistogram earlier) {
    return wentDownSince(earlier) ? Optional.empty() : Optional.of(since(earlier));
  }

  private boolean wentDownSince(CumulativeHistogram earlier) {
    return count < earlier.count
        || buckets.entrySet().stream()
            .anyMatch(e -> e.getValue() < earlier.cumulativeAt(e.getKey()));
  }

  /**
   * Observations at or below {@code le}. Counts are cumulative, so a bound this histogram does not
   * list holds the count of the nearest bound below it (exactly so for a {@link #compact} one).
   */
  private double cumulativeAt(double le) {
    Map.Entry<Double, Double> below = buckets.floorEntry(le);
    return below == null ? 0 : below.getValue();
  }

  /**
   * The buckets as {@code le=count} pairs at the bounds where the cumulative count grows: a node's
   * kube-proxy has some 80 bounds (0.25 s to 5 min), and its observations fill a handful of them,
   * so most counts repeat the one below.
   */
  String compact() {
    StringBuilder out = new StringBuilder();
    double previous = 0;
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getValue() != previous) {
        if (out.length() > 0) {
          out.append(' ');
        }
        out.append(number(e.getKey())).append('=').append(number(e.getValue()));
        previous = e.getValue();
      }
    }
    return out.toString();
  }

  /** The histogram {@link #compact} wrote, with its _sum and _count. */
  static CumulativeHistogram ofCompact(String compact, double sum, double count) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String pair : compact.trim().split("\\s+")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "'" + pair + "' is not le=count in histogram buckets '" + compact + "'");
      }
      buckets.put(
          PrometheusText.parseValue(pair.substring(0, eq)),
          PrometheusText.parseValue(pair.substring(eq + 1)));
    }
    return new CumulativeHistogram(buckets, sum, count);
  }

  private static String number(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** Two histograms with the same bucket bounds (the nodes of one cluster) as one. */
  CumulativeHistogram plus(CumulativeHistogram other) {
    TreeMap<Double, Double> merged = new TreeMap<>(buckets);
    other.buckets.forEach((le, c) -> merged.merge(le, c, Double::sum));
    return new CumulativeHistogram(merged, sum + other.sum, count + other.count);
  }

  /**
   * The q-quantile, interpolated linearly inside its bucket as PromQL's histogram_quantile does;
   * empty without observations. In the +Inf bucket the answer is the highest finite bound, a lower
   * bound of the truth.
   */
  Optional<Double> quantile(double q) {
    double total = total();
    if (total <= 0) {
      return Optional.empty();
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return Optional.of(lowerBound);
        }
        double inBucket = e.getValue() - lowerCount;
        double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
        return Optional.of(lowerBound + (e.getKey() - lowerBound) * fraction);
      }
      lowerBound = e.getKey();
      lowerCount = e.getValue();
    }
    return Optional.of(lowerBound);
  }

  /**
   * The upper bound of the bucket holding the largest observation (the highest finite bound if
   * +Inf).
   */
  Optional<Double> maxUpperBound() {
    double total = total();
    if (total <= 0) {
      return Optional.empty();
    }
    double highestFinite = 0;
    for (Map.Entry<Double, Double> e : buckets.entrySet()) {
      if (e.getKey().isInfinite()) {
        return Optional.of(highestFinite);
      }
      highestFinite = e.getKey();
      if (e.getValue() >= total) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.of(highestFinite);
  }

  /** Observations counted: _count, or the +Inf bucket where _count is missing. */
  double total() {
    if (count > 0) {
      return count;
    }
    return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
  }
}
