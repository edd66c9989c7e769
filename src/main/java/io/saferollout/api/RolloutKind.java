package io.saferollout.api;

/** What started a rollout. */
public enum RolloutKind {
  /** A new pod template: a new ReplicaSet revision. */
  Revision,
  /** kubectl rollout restart: a new revision whose only change is the restartedAt annotation. */
  Restart,
  /** Fewer replicas: pods removed with no new revision. */
  ScaleDown
}
