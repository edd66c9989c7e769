package io.saferollout.load;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a load run. {@code requests} counts every request that was due, including those
 * not sent because of the in-flight cap (class {@link FailureClass#OVERLOAD}); so {@code requests
 * == succeeded + failed} and {@code failed} is the sum of {@code failuresByClass}.
 *
 * @param failuresByClass failure counts keyed by {@link FailureClass} names, sorted by key
 * @param failureEvents the first {@code LoadPlan.maxFailureEvents()} failures in time order
 * @param failuresByClass failure counts keyed by {@link FailureClass} names, sorted by key
 * @param failureEventsDropped failures beyond that cap, counted but not listed
 * @param achievedRatePerSecond requests that were due per second of sending time
 */
public record LoadReport(
    Instant startedAt,
    Duration duration,
    double targetRatePerSecond,
    double achievedRatePerSecond,
    long requests,
    long succeeded,
    long failed,
    Map<String, Long> failuresByClass,
    LatencySummary latency,
    List<FailureEvent> failureEvents,
    long failureEventsDropped) {

  public LoadReport {
    failuresByClass = Collections.unmodifiableMap(new TreeMap<>(failuresByClass));
    failureEvents = List.copyOf(failureEvents);
  }

  public long failures(String failureClass) {
    return failuresByClass.getOrDefault(failureClass, 0L);
  }
}
