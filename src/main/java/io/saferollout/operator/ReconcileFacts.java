package io.saferollout.operator;

import io.saferollout.api.AppliedChange;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.ReportedFinding;
import io.saferollout.operator.adoption.RolloutProgress;
import io.saferollout.operator.validation.Parsed;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.rules.Change;
import io.saferollout.rules.Finding;
import io.saferollout.rules.Severity;
import java.util.List;
import java.util.Optional;

/**
 * Everything one reconcile learned, handed to the record step: the parsed spec, and (for a valid
 * spec) what was observed and what each target's plan led to. The status and the Event are pure
 * functions of these facts and the previous status.
 */
record ReconcileFacts(
    Parsed<SafeRolloutPolicy> parsed, Optional<Observation> seen, List<TargetResult> results) {

  static ReconcileFacts invalid(Parsed<SafeRolloutPolicy> parsed) {
    return new ReconcileFacts(parsed, Optional.empty(), List.of());
  }

  static ReconcileFacts of(
      Parsed<SafeRolloutPolicy> parsed, Observation seen, List<TargetResult> results) {
    return new ReconcileFacts(parsed, Optional.of(seen), results);
  }

  /** Fields set by the operator (or, in Audit mode, that would be set), by Deployment. */
  List<AppliedChange> appliedChanges() {
    return results.stream()
        .flatMap(
            r ->
                (r.plan().step() == TargetPlan.Step.REPORT_ONLY
                        ? r.plan().plan().changes()
                        : r.recorded())
                    .stream().map(c -> toStatus(r.deployment(), c)))
        .toList();
  }

  List<PendingChanges> pending() {
    return results.stream()
        .filter(
            r ->
                r.plan().step() == TargetPlan.Step.HOLD_FOR_NEXT_ROLLOUT
                    || r.plan().step() == TargetPlan.Step.HOLD_FOR_PREVIOUS_TARGET)
        .map(
            r ->
                new PendingChanges(
                    r.deployment(),
                    r.plan().heldSinceRevision().orElse(null),
                    r.plan().plan().changes().stream()
                        .map(c -> toStatus(r.deployment(), c))
                        .toList()))
        .toList();
  }

  List<ReportedFinding> findings() {
    return results.stream()
        .flatMap(r -> r.plan().plan().findings().stream().map(f -> toStatus(r.deployment(), f)))
        .toList();
  }

  long errorFindings() {
    return results.stream()
        .flatMap(r -> r.plan().plan().findings().stream())
        .filter(f -> f.severity() == Severity.ERROR)
        .count();
  }

  /**
   * A target is rolling out now, or will be as soon as the Deployment controller sees our patch.
   */
  boolean rolloutInProgress() {
    return results.stream()
        .anyMatch(
            r ->
                RolloutProgress.inProgress(r.plan().current())
                    || HardeningPlanner.rollsPods(r.appliedNow()));
  }

  static AppliedChange toStatus(String deployment, Change c) {
    return new AppliedChange(deployment, c.rule().id(), c.path(), c.oldValue(), c.newValue());
  }

  static ReportedFinding toStatus(String deployment, Finding f) {
    return new ReportedFinding(
        deployment, f.rule().id(), f.severity().name(), f.path(), f.message(), f.remedy());
  }
}
