package io.saferollout.lab.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of a rolling update (pkg/controller/deployment/rolling.go) over plain counts: grow
 * the new ReplicaSet while the total stays within desired + maxSurge, shrink old ones while the
 * available pods stay at or above desired - maxUnavailable, unhealthy old pods first.
 */
final class RollingUpdate {

  /** A ReplicaSet's desired ({@code spec.replicas}) and available ({@code status}) pod counts. */
  record ReplicaSetCounts(String name, int replicas, int available) {}

  record Scale(String replicaSet, int replicas) {}

  private RollingUpdate() {}

  /**
   * reconcileNewReplicaSet: the new ReplicaSet's next size, or its current size if it must wait.
   */
  static int newReplicaSetSize(
      int desired,
      RollingUpdateBudget budget,
      ReplicaSetCounts newRs,
      List<ReplicaSetCounts> oldRss) {
    if (newRs.replicas() >= desired) {
      return desired;
    }
    int current = newRs.replicas() + total(oldRss);
    int maxTotal = desired + budget.maxSurge();
    if (current >= maxTotal) {
      return newRs.replicas();
    }
    int scaleUp = Math.min(maxTotal - current, desired - newRs.replicas());
    return newRs.replicas() + scaleUp;
  }

  /**
   * reconcileOldReplicaSets: which old ReplicaSets (given oldest first) shrink, and to what. Empty
   * when availability leaves no room.
   */
  static List<Scale> scaleDownOld(
      int desired,
      RollingUpdateBudget budget,
      ReplicaSetCounts newRs,
      List<ReplicaSetCounts> oldRssOldestFirst) {
    List<Scale> steps = new ArrayList<>();
    if (total(oldRssOldestFirst) == 0) {
      return steps;
    }
    int minAvailable = desired - budget.maxUnavailable();
    int allPods = newRs.replicas() + total(oldRssOldestFirst);
    int newRsUnavailable = newRs.replicas() - newRs.available();
    int maxScaledDown = allPods - minAvailable - newRsUnavailable;
    if (maxScaledDown <= 0) {
      return steps;
    }

    // cleanupUnhealthyReplicas: pods of old ReplicaSets that are not available cost no
    // availability, so they go first.
    List<ReplicaSetCounts> old = new ArrayList<>(oldRssOldestFirst);
    int cleaned = 0;
    for (int i = 0; i < old.size() && cleaned < maxScaledDown; i++) {
      ReplicaSetCounts rs = old.get(i);
      int unhealthy = rs.replicas() - rs.available();
      if (rs.replicas() == 0 || unhealthy <= 0) {
        continue;
      }
      int down = Math.min(maxScaledDown - cleaned, unhealthy);
      old.set(i, new ReplicaSetCounts(rs.name(), rs.replicas() - down, rs.available()));
      steps.add(new Scale(rs.name(), rs.replicas() - down));
      cleaned += down;
    }

    // scaleDownOldReplicaSetsForRollingUpdate: then available old pods, as long as enough stay.
    int available = newRs.available() + old.stream().mapToInt(ReplicaSetCounts::available).sum();
    int toScaleDown = available - minAvailable;
    int scaled = 0;
    for (ReplicaSetCounts rs : old) {
      if (scaled >= toScaleDown) {
        break;
      }
      if (rs.replicas() == 0) {
        continue;
      }
      int down = Math.min(rs.replicas(), toScaleDown - scaled);
      steps.removeIf(step -> step.replicaSet().equals(rs.name()));
      steps.add(new Scale(rs.name(), rs.replicas() - down));
      scaled += down;
    }
    return steps;
  }

  private static int total(List<ReplicaSetCounts> rss) {
    return rss.stream().mapToInt(ReplicaSetCounts::replicas).sum();
  }
}
