package io.saferollout.lab.app;

import java.time.Duration;

/** Where an application is in its life, which decides how it answers. */
enum AppPhase {
  NOT_LISTENING,
  /**
   * Listening, but dependencies are not ready: requests get 500 (the seed article's first case).
   */
  WARMING_UP,
  READY,
  /**
   * Got SIGTERM and is finishing in-flight requests; readiness fails so the endpoint is removed.
   */
  DRAINING;

  static AppPhase at(long listeningSinceNanos, long nowNanos, Duration warmup, boolean draining) {
    if (draining) {
      return DRAINING;
    }
    if (listeningSinceNanos < 0) {
      return NOT_LISTENING;
    }
    return nowNanos - listeningSinceNanos < warmup.toNanos() ? WARMING_UP : READY;
  }
}
