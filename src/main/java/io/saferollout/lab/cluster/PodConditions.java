package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.Optional;

/** What controllers read from a pod's status (k8s.io/kubernetes/pkg/api/v1/pod/util.go). */
final class PodConditions {

  private PodConditions() {}

  static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  static boolean isReady(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /**
   * podutil.IsPodAvailable: ready for at least minReadySeconds, measured from the Ready condition's
   * lastTransitionTime.
   */
  static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
    if (!isReady(pod)) {
      return false;
    }
    if (minReadySeconds == 0) {
      return true;
    }
    return readySince(pod)
        .map(since -> !since.plusSeconds(minReadySeconds).isAfter(now))
        .orElse(false);
  }

  static Optional<Instant> readySince(Pod pod) {
    return condition(pod, "Ready")
        .filter(c -> "True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(c -> Instant.parse(c.getLastTransitionTime()));
  }

  static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null
        ? "Pending"
        : pod.getStatus().getPhase();
  }

  static boolean isTerminal(Pod pod) {
    String phase = phase(pod);
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** controller.IsPodActive: counted by its ReplicaSet (not finished, not being deleted). */
  static boolean isActive(Pod pod) {
    return !isTerminal(pod) && !isTerminating(pod);
  }
}
