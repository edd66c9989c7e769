package io.saferollout.operator;

/** Reasons of the Events on a SafeRollout (one summarising Event per reconcile that has news). */
enum EventReason {
  /** The spec cannot be used; the message lists every problem by field. */
  InvalidSpec,
  /** Another, older SafeRollout already hardens a Deployment this one targets. */
  Conflict,
  /**
   * Fields were set on Deployments in this reconcile (a rollout follows where the pod template
   * changed).
   */
  Hardened,
  /**
   * Hardening is planned and held for each Deployment's next rollout, or for the one rolling before
   * it.
   */
  AwaitingRollout,
  /** Gaps the operator did not fix and the user must (new since the last reconcile). */
  Findings,
  /** The operator's own changes were removed as the SafeRollout was deleted. */
  Reverted,
  /** A rollout's measured endpoint removal took longer than the preStop delay in force (SR023). */
  RemovalOutlastedPreStop,
  /**
   * The data plane (kube-proxy on a node, or Prometheus) stopped answering: Auto keeps preStop at
   * or above delaySeconds until it answers again. Recorded when that changes, not every reconcile.
   */
  DataPlaneNotMeasured
}
