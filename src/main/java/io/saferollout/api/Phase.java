package io.saferollout.api;

/** One word for `kubectl get sr`: where this SafeRollout stands. */
public enum Phase {
  /** Not reconciled yet. */
  Pending,
  /** Every target is hardened (nothing left to change). */
  Hardened,
  /** Hardening is planned and waits for a rollout (see status.pending). */
  AwaitingRollout,
  /** Audit mode: targets observed and reported, nothing changed. */
  Audited,
  /** No Deployment matches the target. */
  TargetNotFound,
  /** The spec or the cluster prevents progress; the Degraded condition says why. */
  Degraded
}
