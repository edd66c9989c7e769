package io.saferollout.api;

/** How a followed rollout ended. */
public enum RolloutOutcome {
  /** Every old pod is gone and every new one is available. */
  Complete,
  /** A newer revision started before this one finished. */
  Superseded,
  /** The Deployment reported ProgressDeadlineExceeded. */
  Failed
}
