package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Which pods a ReplicaSet deletes first when it scales down: controller.ActivePodsWithRanks, the
 * cheapest pod to lose first. See
 * https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#scaling-a-replicaset The
 * lab has a single node, so the "pods doubled up on a node" rank is the same for all pods.
 */
final class PodDeletionRanking {

  static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

  /** Orders pods so that the first ones are deleted first. */
  static final Comparator<Pod> DELETE_FIRST =
      Comparator
          // Not yet scheduled before scheduled.
          .comparing((Pod p) -> isAssigned(p))
          // Pending before Unknown before Running.
          .thenComparing(PodDeletionRanking::phaseRank)
          // Not ready before ready.
          .thenComparing(PodConditions::isReady)
          // Lower pod-deletion-cost before higher.
          .thenComparing(PodDeletionRanking::deletionCost)
          // Ready for less time before ready for longer.
          .thenComparing(
              PodDeletionRanking::readySince,
              Comparator.nullsFirst(Comparator.<Instant>reverseOrder()))
          // A higher container restart count before a lower one.
          .thenComparing(PodDeletionRanking::restarts, Comparator.reverseOrder())
          // Newer before older.
          .thenComparing(
              PodDeletionRanking::created,
              Comparator.nullsFirst(Comparator.<Instant>reverseOrder()));

  private PodDeletionRanking() {}

  private static boolean isAssigned(Pod pod) {
    return pod.getSpec() != null
        && pod.getSpec().getNodeName() != null
        && !pod.getSpec().getNodeName().isEmpty();
  }

  private static int phaseRank(Pod pod) {
    return switch (PodConditions.phase(pod)) {
      case "Pending" -> 0;
      case "Unknown" -> 1;
      case "Running" -> 2;
      default -> 3;
    };
  }

  private static int deletionCost(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    try {
      return Integer.parseInt(annotations.getOrDefault(DELETION_COST, "0"));
    } catch (NumberFormatException invalid) {
      return 0;
    }
  }

  private static Instant readySince(Pod pod) {
    return PodConditions.isReady(pod) ? PodConditions.readySince(pod).orElse(null) : null;
  }

  private static int restarts(Pod pod) {
    if (pod.getStatus() == null) {
      return 0;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .map(ContainerStatus::getRestartCount)
        .mapToInt(c -> c == null ? 0 : c)
        .max()
        .orElse(0);
  }

  private static Instant created(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getCreationTimestamp())
        .map(Instant::parse)
        .orElse(null);
  }
}
