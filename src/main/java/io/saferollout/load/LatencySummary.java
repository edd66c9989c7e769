package io.saferollout.load;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles in milliseconds, measured from each request's <em>intended</em> send time, so
 * a stalled server shows up in the tail instead of silently slowing the generator down.
 */
public record LatencySummary(
    double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {

  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);

  /**
   * @param micros a histogram of latencies recorded in microseconds
   */
  public static LatencySummary ofMicros(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(
        ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)),
        ms(micros.getValueAtPercentile(99)),
        ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
