package io.saferollout.lab.scenario;

/** The ways a Deployment's pods get replaced on purpose. */
public enum RolloutKind {
    /** A new image: a new pod-template hash, so a new ReplicaSet rolls the pods. */
    IMAGE_CHANGE,
    /**
     * {@code kubectl rollout restart}: the same template plus a {@code kubectl.kubernetes.io/restartedAt}
     * annotation, which is enough for a new ReplicaSet.
     */
    RESTART,
    /** Scale down by one (one pod is deleted) and back up (one new pod starts). */
    SCALE_DOWN
}
