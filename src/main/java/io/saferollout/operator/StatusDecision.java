package io.saferollout.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.DataPlaneReading;
import io.saferollout.api.Mode;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.operator.StatusConditions.Type;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The status a SafeRollout should show, as a pure function of the previous status and what the
 * reconcile learned. Starts from a copy of the previous status, so fields other steps own survive,
 * and decides phase, conditions, targets, applied and pending changes and findings.
 */
final class StatusDecision {
  private StatusDecision() {}

  static SafeRolloutStatus decide(SafeRollout sr, ReconcileFacts facts, Instant now) {
    SafeRolloutStatus previous = sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
    SafeRolloutStatus status = Serialization.clone(previous);
    status.setObservedGeneration(sr.getMetadata().getGeneration());
    StatusConditions conditions =
        new StatusConditions(previous.getConditions(), sr.getMetadata().getGeneration(), now);
    status.setTargets(facts.results().stream().map(TargetResult::deployment).toList());
    status.setAppliedChanges(facts.appliedChanges());
    status.setPending(facts.pending());
    status.setFindings(facts.findings());

    if (facts.seen().isEmpty()) {
      String message = "invalid spec: " + facts.parsed().describeProblems();
      status.setPhase(Phase.Degraded);
      status.setTargetSummary(null);
      conditions
          .set(Type.Ready, false, ConditionReason.InvalidSpec, message)
          .set(
              Type.Progressing,
              false,
              ConditionReason.InvalidSpec,
              "nothing is hardened until the spec is fixed")
          .set(Type.Degraded, true, ConditionReason.InvalidSpec, message);
      status.setConditions(conditions.build());
      return status;
    }
    SafeRolloutPolicy policy = facts.parsed().value().orElseThrow();
    Observation seen = facts.seen().get();
    status.setTargetSummary(TargetSelection.summary(sr, seen.matched()));
    // Active rollouts, records, preStop tuning and SR023 (removal outlasted preStop) findings.
    seen.rollouts().ifPresent(r -> r.writeTo(status));
    dataPlaneMeasured(status, conditions);
    if (seen.matched().isEmpty()) {
      String message =
          policy.target().getName() != null
              ? "no Deployment named "
                  + policy.target().getName()
                  + " in namespace "
                  + sr.getMetadata().getNamespace()
              : "no Deployment in namespace "
                  + sr.getMetadata().getNamespace()
                  + " matches "
                  + status.getTargetSummary();
      status.setPhase(Phase.TargetNotFound);
      conditions
          .set(
              Type.Ready,
              false,
              ConditionReason.TargetNotFound,
              message + "; waiting for it to appear")
          .set(Type.Progressing, false, ConditionReason.TargetNotFound, message)
          .set(Type.Degraded, false, ConditionReason.TargetNotFound, "nothing to harden yet");
      status.setConditions(conditions.build());
      return status;
    }

    String conflicts =
        seen.conflicts().stream()
            .map(Observation.Conflict::describe)
            .collect(Collectors.joining("; "));
    boolean audit = policy.hardening().mode() == Mode.Audit;
    List<PendingChanges> pending = status.getPending();
    if (seen.ours().isEmpty()) {
      status.setPhase(Phase.Degraded);
      conditions.set(Type.Ready, false, ConditionReason.Conflict, conflicts);
    } else if (audit) {
      status.setPhase(Phase.Audited);
      conditions.set(
          Type.Ready,
          true,
          ConditionReason.Audited,
          seen.ours().size()
              + " Deployment(s) audited, "
              + status.getAppliedChanges().size()
              + " change(s) would be made, "
              + status.getFindings().size()
              + " finding(s)");
    } else if (!pending.isEmpty()) {
      status.setPhase(Phase.AwaitingRollout);
      // Ready: waiting for the user's rollout is the steady state NextRollout asks for, not a
      // fault,
      // and GitOps tools (Argo CD health, sync waves) must not wait on it.
      conditions.set(
          Type.Ready,
          true,
          ConditionReason.AwaitingRollout,
          pending.size()
              + " of "
              + seen.ours().size()
              + " Deployment(s) wait for a rollout to take the hardening ("
              + pending.stream()
                  .map(PendingChanges::getDeployment)
                  .collect(Collectors.joining(", "))
              + "): see status.pending");
    } else {
      status.setPhase(Phase.Hardened);
      conditions.set(
          Type.Ready,
          true,
          ConditionReason.Hardened,
          seen.ours().size()
              + " Deployment(s) hardened, "
              + status.getAppliedChanges().size()
              + " field(s) set by SafeRollout, "
              + status.getFindings().size()
              + " finding(s)");
    }
    boolean rolling = facts.rolloutInProgress();
    conditions.set(
        Type.Progressing,
        rolling,
        rolling ? ConditionReason.RolloutInProgress : ConditionReason.RolloutComplete,
        rolling ? "a target Deployment is rolling out" : "every target Deployment is rolled out");
    long errors = facts.errorFindings();
    if (!seen.conflicts().isEmpty()) {
      conditions.set(Type.Degraded, true, ConditionReason.Conflict, conflicts);
    } else if (errors > 0) {
      conditions.set(
          Type.Degraded,
          true,
          ConditionReason.UnfixedFindings,
          errors + " finding(s) of severity ERROR need the user's action: see status.findings");
    } else {
      conditions.set(Type.Degraded, false, ConditionReason.AsExpected, "no error-level gaps");
    }
    status.setConditions(conditions.build());
    return status;
  }

  /**
   * DataPlaneMeasured from the last data-plane reading preStop tuning made: False when a node's
   * kube-proxy (or Prometheus) did not answer, or when the source is None; absent before any
   * reading.
   */
  private static void dataPlaneMeasured(SafeRolloutStatus status, StatusConditions conditions) {
    DataPlaneReading r =
        status.getPreStopTuning() == null ? null : status.getPreStopTuning().getDataPlane();
    if (r == null || r.getVisibility() == null) {
      return;
    }
    switch (r.getVisibility()) {
      case Readable ->
          conditions.set(
              Type.DataPlaneMeasured, true, ConditionReason.DataPlaneReadable, r.getMessage());
      case Unreadable ->
          conditions.set(
              Type.DataPlaneMeasured, false, ConditionReason.DataPlaneUnreadable, r.getMessage());
      case NoSource ->
          conditions.set(
              Type.DataPlaneMeasured, false, ConditionReason.NoDataPlaneSource, r.getMessage());
    }
  }
}
