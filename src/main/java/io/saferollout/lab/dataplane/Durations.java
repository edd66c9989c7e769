package io.saferollout.lab.dataplane;

import java.time.Duration;

/** Short duration text for profile descriptions: 1s, 250ms, 1.5s. */
final class Durations {

  private Durations() {}

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms < 1000 ? ms + "ms" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  static Duration requirePositive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
    return d;
  }

  static Duration requireNotNegative(String what, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be zero or positive, got " + d);
    }
    return d;
  }
}
