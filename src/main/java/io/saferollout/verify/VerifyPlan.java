package io.saferollout.verify;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code saferollout verify} does: send load to {@code url} for {@code duration} while it
 * restarts the Deployment and/or deletes its pods, then (optionally) wait for the rollout to finish
 * and keep the load on for {@code settle} more, so the last pod changes are measured too.
 *
 * @param kills pods to delete during the run, spread evenly over {@code duration}
 * @param seed picks which pods are killed, so a run can be repeated
 * @param rolloutTimeout how long to wait for the rollout to finish after {@code duration}
 */
public record VerifyPlan(
    String namespace,
    String deployment,
    URI url,
    double ratePerSecond,
    Duration duration,
    boolean restart,
    int kills,
    long seed,
    boolean waitRollout,
    Duration rolloutTimeout,
    Duration settle,
    Duration requestTimeout) {

  public VerifyPlan {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(url, "url");
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("--rps must be a positive number, got " + ratePerSecond);
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, got " + duration);
    }
    if (kills < 0) {
      throw new IllegalArgumentException("--kills must not be negative, got " + kills);
    }
    if (rolloutTimeout == null || rolloutTimeout.isNegative()) {
      throw new IllegalArgumentException("--rollout-timeout must not be negative");
    }
    if (settle == null || settle.isNegative()) {
      throw new IllegalArgumentException("--settle must not be negative");
    }
  }
}
