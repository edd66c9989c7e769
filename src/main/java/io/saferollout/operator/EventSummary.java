package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.rules.Finding;
import io.saferollout.rules.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one Event a reconcile records, if it has news: what was set now and why, what waits for a
 * rollout, which findings are new, or why the spec cannot be used. A reconcile that only confirms
 * the steady state records none. Pure: previous and next status in, Event (or none) out.
 */
record EventSummary(EventRecorder.Type type, EventReason reason, String message) {

  static Optional<EventSummary> of(
      SafeRolloutStatus previous, SafeRolloutStatus next, ReconcileFacts facts) {
    if (facts.seen().isEmpty()) {
      String message = degradedMessage(next);
      return Objects.equals(degradedMessage(previous), message)
          ? Optional.empty()
          : Optional.of(
              new EventSummary(EventRecorder.Type.Warning, EventReason.InvalidSpec, message));
    }
    List<String> parts = new ArrayList<>();
    EventReason reason = null;
    for (TargetResult r : facts.results()) {
      if (!r.appliedNow().isEmpty()) {
        parts.add(
            "Deployment "
                + r.deployment()
                + ": set "
                + r.appliedNow().stream()
                    .map(c -> c.rule().id() + " " + c.path())
                    .distinct()
                    .collect(Collectors.joining(", "))
                + "; "
                + r.plan().why());
        reason = reason == null ? EventReason.Hardened : reason;
      }
    }
    Set<String> wasPending =
        previous.getPending().stream()
            .map(PendingChanges::getDeployment)
            .collect(Collectors.toSet());
    List<String> newlyPending =
        next.getPending().stream()
            .filter(p -> !wasPending.contains(p.getDeployment()))
            .map(p -> p.getDeployment() + " (" + p.getChanges().size() + " change(s))")
            .toList();
    if (!newlyPending.isEmpty()) {
      parts.add(
          "waiting for a rollout: "
              + String.join(", ", newlyPending)
              + "; the hardening is applied with the user's next pod-template change, see status.pending");
      reason = reason == null ? EventReason.AwaitingRollout : reason;
    }
    Set<String> known =
        previous.getFindings().stream()
            .map(f -> f.getDeployment() + "|" + f.getRule() + "|" + f.getPath())
            .collect(Collectors.toSet());
    List<String> fresh = new ArrayList<>();
    boolean freshWarning = false;
    for (TargetResult r : facts.results()) {
      for (Finding f : r.plan().plan().findings()) {
        if (!known.contains(r.deployment() + "|" + f.rule().id() + "|" + f.path())) {
          fresh.add(r.deployment() + " " + f.rule().id() + " " + f.message());
          freshWarning |= f.severity() != Severity.INFO;
        }
      }
    }
    if (!fresh.isEmpty()) {
      parts.add(fresh.size() + " new finding(s): " + String.join("; ", fresh));
      reason = reason == null ? EventReason.Findings : reason;
    }
    boolean newConflict =
        !Objects.equals(
                conditionMessage(previous, ConditionReason.Conflict),
                conditionMessage(next, ConditionReason.Conflict))
            && conditionMessage(next, ConditionReason.Conflict) != null;
    if (newConflict) {
      parts.add(0, conditionMessage(next, ConditionReason.Conflict));
      reason = EventReason.Conflict;
    }
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    boolean warn = newConflict || freshWarning;
    return Optional.of(
        new EventSummary(
            warn ? EventRecorder.Type.Warning : EventRecorder.Type.Normal,
            reason,
            String.join(". ", parts)));
  }

  private static String degradedMessage(SafeRolloutStatus s) {
    return s.getConditions().stream()
        .filter(c -> StatusConditions.Type.Degraded.name().equals(c.getType()))
        .map(Condition::getMessage)
        .findFirst()
        .orElse(null);
  }

  private static String conditionMessage(SafeRolloutStatus s, ConditionReason reason) {
    return s.getConditions().stream()
        .filter(
            c ->
                StatusConditions.Type.Degraded.name().equals(c.getType())
                    && reason.name().equals(c.getReason()))
        .map(Condition::getMessage)
        .findFirst()
        .orElse(null);
  }
}
