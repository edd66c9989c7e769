package io.saferollout.lab.scenario;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.List;
import java.util.Objects;

/**
 * When a rollout is over, as {@code kubectl rollout status} decides
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#complete-deployment): the
 * controller has seen the latest spec and every replica is updated, ready and available; and,
 * stricter than kubectl, no pod of the Deployment is still terminating, because a pod in its
 * preStop delay or shutdown is exactly where rollouts lose requests. Pure.
 */
public final class RolloutCompletion {

  private RolloutCompletion() {}

  public static boolean isComplete(Deployment deployment, List<Pod> podsOfDeployment) {
    if (deployment == null || deployment.getSpec() == null) {
      return false;
    }
    DeploymentStatus status = deployment.getStatus();
    if (status == null
        || status.getObservedGeneration() == null
        || status.getObservedGeneration() < deployment.getMetadata().getGeneration()) {
      return false;
    }
    int wanted = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    boolean counts =
        is(status.getReplicas(), wanted)
            && is(status.getUpdatedReplicas(), wanted)
            && is(status.getReadyReplicas(), wanted)
            && is(status.getAvailableReplicas(), wanted);
    return counts
        && podsOfDeployment.stream().noneMatch(RolloutCompletion::terminating)
        && podsOfDeployment.size() == wanted;
  }

  private static boolean is(Integer value, int wanted) {
    return Objects.requireNonNullElse(value, 0) == wanted;
  }

  private static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }
}
