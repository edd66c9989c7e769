package io.saferollout.operator.rollout;

import io.saferollout.api.LatencyFigures;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** p50/p99/max of measured removals, for one rollout and over a window of rollouts. */
final class RemovalFigures {
  private RemovalFigures() {}

  /** Nearest-rank percentiles: every reported figure is a duration that was actually measured. */
  static Optional<LatencyFigures> of(Collection<Long> millis) {
    if (millis.isEmpty()) {
      return Optional.empty();
    }
    List<Long> sorted = millis.stream().sorted().toList();
    return Optional.of(
        new LatencyFigures(rank(sorted, 0.50), rank(sorted, 0.99), sorted.get(sorted.size() - 1)));
  }

  /**
   * A window of rollouts without their raw samples: the median of their p50s, the highest p99 and
   * the highest max. The p99 errs long on purpose, because it sizes a safety delay.
   */
  static Optional<LatencyFigures> window(List<LatencyFigures> perRollout) {
    List<LatencyFigures> known =
        perRollout.stream().filter(Objects::nonNull).filter(f -> f.getP99() != null).toList();
    if (known.isEmpty()) {
      return Optional.empty();
    }
    List<Long> p50s =
        known.stream().map(f -> f.getP50() == null ? f.getP99() : f.getP50()).sorted().toList();
    long p99 = known.stream().mapToLong(LatencyFigures::getP99).max().orElseThrow();
    long max =
        known.stream()
            .mapToLong(f -> f.getMax() == null ? f.getP99() : f.getMax())
            .max()
            .orElseThrow();
    return Optional.of(new LatencyFigures(rank(p50s, 0.50), p99, max));
  }

  private static long rank(List<Long> sorted, double q) {
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
