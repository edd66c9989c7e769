package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Deployment's status and its Available/Progressing conditions, computed as
 * pkg/controller/deployment/sync.go (calculateStatus, checkPausedConditions) and progress.go
 * (syncRolloutStatus) do. Reasons and messages are the real ones, since tools match on them. See
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status
 */
final class DeploymentProgress {

  static final String AVAILABLE = "Available";
  static final String PROGRESSING = "Progressing";
  static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  static final String RS_UPDATED = "ReplicaSetUpdated";
  static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  static final String TIMED_OUT = "ProgressDeadlineExceeded";
  static final String PAUSED = "DeploymentPaused";
  static final String RESUMED = "DeploymentResumed";
  static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
  static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

  private DeploymentProgress() {}

  /**
   * The status to write. {@code d.getStatus()} is the last written status, possibly already
   * carrying a NewReplicaSetCreated/FoundNewReplicaSet condition from this sync.
   */
  static DeploymentStatus nextStatus(
      Deployment d, List<ReplicaSet> all, ReplicaSet newRs, Instant now) {
    DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    DeploymentStatus next = calculateStatus(d, old, all, newRs, now);
    pausedCondition(d, next, now);
    if (!DeploymentDefaults.paused(d)) {
      progressingCondition(d, old, next, newRs, now);
    }
    return next;
  }

  /** When a rollout still in progress must be looked at again to notice it timed out. */
  static Optional<Duration> timeUntilDeadline(Deployment d, DeploymentStatus status, Instant now) {
    DeploymentCondition progressing = condition(status, PROGRESSING);
    if (DeploymentDefaults.paused(d)
        || progressing == null
        || !"True".equals(progressing.getStatus())
        || NEW_RS_AVAILABLE.equals(progressing.getReason())) {
      return Optional.empty();
    }
    Instant deadline =
        Instant.parse(progressing.getLastUpdateTime())
            .plusSeconds(DeploymentDefaults.progressDeadlineSeconds(d));
    // Conditions carry whole seconds: look again a second after the deadline has surely passed.
    return Optional.of(Duration.between(now, deadline).plusSeconds(1));
  }

  static DeploymentCondition condition(DeploymentStatus status, String type) {
    if (status == null) {
      return null;
    }
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  static DeploymentCondition newCondition(
      String type, String status, String reason, String message, Instant now) {
    String time = timestamp(now);
    return new DeploymentConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastUpdateTime(time)
        .withLastTransitionTime(time)
        .build();
  }

  /** deploymentutil.SetDeploymentCondition: same status and reason is no change at all. */
  static void setCondition(DeploymentStatus status, DeploymentCondition condition) {
    DeploymentCondition current = condition(status, condition.getType());
    if (current != null
        && Objects.equals(current.getStatus(), condition.getStatus())
        && Objects.equals(current.getReason(), condition.getReason())) {
      return;
    }
    if (current != null && Objects.equals(current.getStatus(), condition.getStatus())) {
      condition.setLastTransitionTime(current.getLastTransitionTime());
    }
    List<DeploymentCondition> conditions = new ArrayList<>(status.getConditions());
    conditions.removeIf(c -> condition.getType().equals(c.getType()));
    conditions.add(condition);
    status.setConditions(conditions);
  }

  static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static DeploymentStatus calculateStatus(
      Deployment d, DeploymentStatus old, List<ReplicaSet> all, ReplicaSet newRs, Instant now) {
    int available =
        sum(all, rs -> rs.getStatus() == null ? null : rs.getStatus().getAvailableReplicas());
    int desiredTotal = sum(all, rs -> rs.getSpec().getReplicas());
    DeploymentStatus status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(
                sum(all, rs -> rs.getStatus() == null ? null : rs.getStatus().getReplicas()))
            .withUpdatedReplicas(
                newRs == null
                    ? 0
                    : sum(
                        List.of(newRs),
                        rs -> rs.getStatus() == null ? null : rs.getStatus().getReplicas()))
            .withReadyReplicas(
                sum(all, rs -> rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas()))
            .withAvailableReplicas(available)
            .withUnavailableReplicas(Math.max(0, desiredTotal - available))
            .withCollisionCount(old.getCollisionCount())
            .withConditions(copyConditions(old))
            .build();
    if (available
        >= DeploymentDefaults.replicas(d) - RollingUpdateBudget.availabilityTolerance(d)) {
      setCondition(
          status,
          newCondition(
              AVAILABLE, "True", MIN_AVAILABLE, "Deployment has minimum availability.", now));
    } else {
      setCondition(
          status,
          newCondition(
              AVAILABLE,
              "False",
              MIN_UNAVAILABLE,
              "Deployment does not have minimum availability.",
              now));
    }
    return status;
  }

  /** checkPausedConditions: a paused rollout reports Unknown progress, unless it had timed out. */
  private static void pausedCondition(Deployment d, DeploymentStatus status, Instant now) {
    DeploymentCondition current = condition(status, PROGRESSING);
    if (current != null && TIMED_OUT.equals(current.getReason())) {
      return;
    }
    boolean pausedReported = current != null && PAUSED.equals(current.getReason());
    if (DeploymentDefaults.paused(d) && !pausedReported) {
      setCondition(
          status, newCondition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now));
    } else if (!DeploymentDefaults.paused(d) && pausedReported) {
      setCondition(
          status, newCondition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now));
    }
  }

  /**
   * syncRolloutStatus: complete, progressing (progress seen since the last status) or timed out.
   */
  private static void progressingCondition(
      Deployment d, DeploymentStatus old, DeploymentStatus next, ReplicaSet newRs, Instant now) {
    DeploymentCondition current = condition(next, PROGRESSING);
    boolean complete =
        Objects.equals(next.getReplicas(), next.getUpdatedReplicas())
            && current != null
            && NEW_RS_AVAILABLE.equals(current.getReason());
    if (complete) {
      return;
    }
    String rsName = newRs == null ? "" : newRs.getMetadata().getName();
    if (isComplete(d, next)) {
      setCondition(
          next,
          newCondition(
              PROGRESSING,
              "True",
              NEW_RS_AVAILABLE,
              "ReplicaSet \"" + rsName + "\" has successfully progressed.",
              now));
    } else if (isProgressing(old, next)) {
      // Progress refreshes lastUpdateTime even when the reason stays the same, which is what
      // restarts the deadline; lastTransitionTime stays while the status stays True.
      DeploymentCondition condition =
          newCondition(
              PROGRESSING,
              "True",
              RS_UPDATED,
              "ReplicaSet \"" + rsName + "\" is progressing.",
              now);
      if (current != null && "True".equals(current.getStatus())) {
        condition.setLastTransitionTime(current.getLastTransitionTime());
      }
      List<DeploymentCondition> conditions = new ArrayList<>(next.getConditions());
      conditions.removeIf(c -> PROGRESSING.equals(c.getType()));
      conditions.add(condition);
      next.setConditions(conditions);
    } else if (hasTimedOut(d, current, now)) {
      setCondition(
          next,
          newCondition(
              PROGRESSING,
              "False",
              TIMED_OUT,
              "ReplicaSet \"" + rsName + "\" has timed out progressing.",
              now));
    }
  }

  /** deploymentutil.DeploymentComplete. */
  private static boolean isComplete(Deployment d, DeploymentStatus s) {
    int desired = DeploymentDefaults.replicas(d);
    return n(s.getUpdatedReplicas()) == desired
        && n(s.getReplicas()) == desired
        && n(s.getAvailableReplicas()) == desired
        && Optional.ofNullable(s.getObservedGeneration()).orElse(0L)
            >= Optional.ofNullable(d.getMetadata().getGeneration()).orElse(0L);
  }

  /** deploymentutil.DeploymentProgressing: any step forward since the last written status. */
  private static boolean isProgressing(DeploymentStatus old, DeploymentStatus next) {
    int oldOld = n(old.getReplicas()) - n(old.getUpdatedReplicas());
    int newOld = n(next.getReplicas()) - n(next.getUpdatedReplicas());
    return n(next.getUpdatedReplicas()) > n(old.getUpdatedReplicas())
        || newOld < oldOld
        || n(next.getReadyReplicas()) > n(old.getReadyReplicas())
        || n(next.getAvailableReplicas()) > n(old.getAvailableReplicas());
  }

  /** deploymentutil.DeploymentTimedOut. */
  private static boolean hasTimedOut(Deployment d, DeploymentCondition progressing, Instant now) {
    if (progressing == null || NEW_RS_AVAILABLE.equals(progressing.getReason())) {
      return false;
    }
    if (TIMED_OUT.equals(progressing.getReason())) {
      return true;
    }
    Instant from = Instant.parse(progressing.getLastUpdateTime());
    return from.plusSeconds(DeploymentDefaults.progressDeadlineSeconds(d)).isBefore(now);
  }

  private static List<DeploymentCondition> copyConditions(DeploymentStatus status) {
    List<DeploymentCondition> copies = new ArrayList<>();
    for (DeploymentCondition c : status.getConditions()) {
      copies.add(new DeploymentConditionBuilder(c).build());
    }
    return copies;
  }

  private static int sum(
      List<ReplicaSet> rss, java.util.function.Function<ReplicaSet, Integer> count) {
    return rss.stream().map(count).mapToInt(DeploymentProgress::n).sum();
  }

  private static int n(Integer value) {
    return value == null ? 0 : value;
  }
}
