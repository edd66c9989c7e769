package io.saferollout.lab.cluster;

import java.time.Duration;

/**
 * How long the kubelet waits before restarting a container that exited: "the kubelet restarts them
 * with an exponential backoff delay (10s, 20s, 40s, …), that is capped at 300 seconds (5 minutes).
 * Once a container has executed for 10 minutes without any problems, the kubelet resets the restart
 * backoff timer for that container"
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts).
 *
 * <p>The source adds one detail the sentence leaves out (kuberuntime_manager.go {@code doBackOff}
 * with client-go's {@code flowcontrol.Backoff}, initial 10 s and {@code MaxContainerBackOff} 300 s
 * in kubelet.go): a container with no back-off entry is restarted at once, and the entry forgets
 * itself once {@code 2 × max} has passed since the last restart. So the first restart of a streak
 * is immediate, the second waits 10 s counted from the exit, then 20 s, 40 s, … 300 s. Pure.
 *
 * @param initial the first non-zero delay
 * @param max the cap; KEP-4603 makes it configurable (1.32+), the default is 5 minutes
 */
record CrashLoopBackOff(Duration initial, Duration max) {

  /** The kubelet's defaults. */
  static final CrashLoopBackOff KUBELET_DEFAULT =
      new CrashLoopBackOff(Duration.ofSeconds(10), Duration.ofMinutes(5));

  CrashLoopBackOff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "back-off needs 0 < initial <= max, got " + initial + " and " + max);
    }
  }

  /**
   * The wait before the next restart.
   *
   * @param restartsInStreak restarts already made since the back-off was last reset
   */
  Duration delay(int restartsInStreak) {
    if (restartsInStreak <= 0) {
      return Duration.ZERO;
    }
    Duration delay = initial;
    for (int i = 1; i < restartsInStreak && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }

  /**
   * Whether a container that ran this long before exiting starts a new streak (10 minutes by
   * default).
   */
  boolean resetsAfter(Duration ranFor) {
    return ranFor.compareTo(max.multipliedBy(2)) >= 0;
  }

  /** The restarts in the streak that the next exit continues, given how long the container ran. */
  int streakAfterExit(int restartsInStreak, Duration ranFor) {
    return resetsAfter(ranFor) ? 0 : restartsInStreak;
  }
}
