package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/** Whether a Deployment is mid-rollout, read the way `kubectl rollout status` reads it. */
public final class RolloutProgress {
  private RolloutProgress() {}

  public static boolean inProgress(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s == null) {
      return true;
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated = n(s.getUpdatedReplicas());
    return observed < generation
        || updated < desired
        || n(s.getReplicas()) > updated
        || n(s.getAvailableReplicas()) < updated;
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
