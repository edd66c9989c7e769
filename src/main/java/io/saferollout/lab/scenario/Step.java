package io.saferollout.lab.scenario;

/** One thing a scenario does to the workload while traffic flows. */
public sealed interface Step {

  /** Replace pods on purpose and wait for the rollout to complete. */
  record Rollout(RolloutKind kind) implements Step {}

  /**
   * Delete one running pod, chosen at random (seeded), and wait for its replacement to be ready.
   */
  record Kill() implements Step {}
}
