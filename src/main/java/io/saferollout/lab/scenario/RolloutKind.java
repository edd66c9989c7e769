package io.saferollout.lab.scenario;

/** The ways a Deployment's pods get replaced on purpose, or by the cluster's own maintenance. */
public enum RolloutKind {
  /** A new image: a new pod-template hash, so a new ReplicaSet rolls the pods. */
  IMAGE_CHANGE,
  /**
   * {@code kubectl rollout restart}: the same template plus a {@code
   * kubectl.kubernetes.io/restartedAt} annotation, which is enough for a new ReplicaSet.
   */
  RESTART,
  /** Scale down by one (one pod is deleted) and back up (one new pod starts). */
  SCALE_DOWN,
  /**
   * {@code kubectl drain}: every pod of the node evicted through the eviction API, which refuses
   * (429) an eviction that would break the PodDisruptionBudget; refused evictions are retried, as
   * kubectl does (https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/).
   */
  NODE_DRAIN,
  /** An image change, and one pod deleted while the rollout is still going. */
  IMAGE_CHANGE_WITH_KILL
}
