package io.saferollout.api;

/**
 * When a tuned preStop reaches the pod template. Changing the template starts a rollout (Deployment
 * controller: any change to spec.template creates a new ReplicaSet), so by default the tuned value
 * waits for a template change the user makes anyway.
 */
public enum TuningApplication {
  /** With the next template change the user makes: the tuning never causes a rollout of its own. */
  WithNextRollout,
  /** As soon as the tuned value changes, accepting the rollout that starts. */
  Immediately
}
