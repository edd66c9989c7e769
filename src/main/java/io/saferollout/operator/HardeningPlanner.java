package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Adoption;
import io.saferollout.api.Mode;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TuningApplication;
import io.saferollout.operator.TargetPlan.Step;
import io.saferollout.operator.adoption.NextRolloutGate;
import io.saferollout.operator.adoption.RolloutProgress;
import io.saferollout.operator.rollout.RolloutObserver;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.rules.Change;
import io.saferollout.rules.DeploymentHardener;
import io.saferollout.rules.HardeningPlan;
import io.saferollout.rules.HardeningPolicy;
import io.saferollout.rules.LiveTarget;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The plan step, pure: for each Deployment this SafeRollout owns, the rules' plan and when it may
 * be applied. Changing a pod template rolls every pod, so such changes go through the adoption
 * policy; changes outside the template (strategy, minReadySeconds) roll nothing and are made now.
 */
final class HardeningPlanner {
  private final NextRolloutGate gate;

  HardeningPlanner(NextRolloutGate gate) {
    this.gate = gate;
  }

  /**
   * @param claimedSince when the SafeRollout was created: a Deployment created at or after it was
   *     created under it (often in the same `kubectl apply`), so its pods are new and hardening
   *     them now surprises nobody
   */
  List<TargetPlan> plan(
      SafeRolloutPolicy policy,
      Observation seen,
      SafeRolloutStatus previous,
      Optional<Instant> claimedSince) {
    Map<String, Long> heldSince =
        previous.getPending().stream()
            .filter(p -> p.getHeldSinceRevision() != null)
            .collect(
                Collectors.toMap(
                    PendingChanges::getDeployment,
                    PendingChanges::getHeldSinceRevision,
                    (a, b) -> a));
    // Immediately rolls one Deployment at a time: while one of ours rolls out, the rest wait.
    boolean oneIsRolling = seen.ours().stream().anyMatch(RolloutProgress::inProgress);
    // preStop Auto: the delay measured removal calls for replaces the stated one.
    HardeningPolicy hardening =
        seen.rollouts()
            .map(r -> policy.hardening().withPreStopDelaySeconds(r.preStopSeconds()))
            .orElse(policy.hardening());
    List<TargetPlan> plans = new ArrayList<>();
    for (Deployment d : seen.ours()) {
      List<Change> recorded = AppliedChangesRecord.read(d);
      LiveTarget live =
          new LiveTarget(
              OwnedFields.stillOurs(d, recorded),
              recorded,
              seen.namespace().labels(),
              seen.namespace().annotations());
      HardeningPlan plan =
          DeploymentHardener.plan(
              d, hardening, seen.capabilities(), live, seen.disruptionBudgets());
      boolean tuningOnly =
          onlyTheTunedPreStopRollsPods(
              policy,
              d,
              hardening,
              plan,
              h ->
                  DeploymentHardener.plan(
                      d, h, seen.capabilities(), live, seen.disruptionBudgets()));
      TargetPlan p =
          decide(
              policy,
              d,
              plan,
              recorded,
              Optional.ofNullable(heldSince.get(d.getMetadata().getName())),
              oneIsRolling,
              createdUnder(d, claimedSince),
              tuningOnly);
      oneIsRolling |= p.step() == Step.APPLY && rollsPods(plan);
      plans.add(p);
    }
    return plans;
  }

  private TargetPlan decide(
      SafeRolloutPolicy policy,
      Deployment d,
      HardeningPlan plan,
      List<Change> recorded,
      Optional<Long> heldSince,
      boolean oneIsRolling,
      boolean createdUnderThisSafeRollout,
      boolean tuningOnly) {
    if (plan.changesNothing()) {
      return new TargetPlan(d, plan, recorded, Step.IN_SYNC, Optional.empty(), "in sync");
    }
    if (policy.hardening().mode() == Mode.Audit) {
      return new TargetPlan(
          d, plan, recorded, Step.REPORT_ONLY, Optional.empty(), "audit: reported, not made");
    }
    if (!rollsPods(plan)) {
      return new TargetPlan(
          d,
          plan,
          recorded,
          Step.APPLY,
          Optional.empty(),
          "outside the pod template, so nothing rolls");
    }
    if (tuningOnly) {
      return decideTuning(policy, d, plan, recorded, heldSince, oneIsRolling);
    }
    if (createdUnderThisSafeRollout && heldSince.isEmpty()) {
      return new TargetPlan(
          d,
          plan,
          recorded,
          Step.APPLY,
          Optional.empty(),
          "the Deployment was created after its SafeRollout, so its pods are new");
    }
    if (policy.adoption() == Adoption.Immediately) {
      return oneIsRolling
          ? new TargetPlan(
              d,
              plan,
              recorded,
              Step.HOLD_FOR_PREVIOUS_TARGET,
              Optional.empty(),
              "waits until the Deployment rolling out now is done (one at a time)")
          : new TargetPlan(
              d,
              plan,
              recorded,
              Step.APPLY,
              Optional.empty(),
              "rolls out now (adoption Immediately)");
    }
    NextRolloutGate.Verdict verdict = gate.decide(d, heldSince);
    if (verdict instanceof NextRolloutGate.Verdict.Open open) {
      return new TargetPlan(d, plan, recorded, Step.APPLY, Optional.empty(), open.why());
    }
    long since = ((NextRolloutGate.Verdict.Held) verdict).sinceRevision();
    return new TargetPlan(
        d,
        plan,
        recorded,
        Step.HOLD_FOR_NEXT_ROLLOUT,
        Optional.of(since),
        "waits for the next rollout after revision " + since);
  }

  /**
   * A tuned preStop (spec.preStop.mode Auto) changes the pod template, so it rolls every pod:
   * applyTuning WithNextRollout (the default) holds it for the user's next rollout through the same
   * gate as adoption, so it costs no rollout of its own; Immediately rolls it now, one Deployment
   * at a time. This applies whatever the adoption policy says: adoption is about taking a
   * Deployment over, tuning about a Deployment already hardened.
   */
  private TargetPlan decideTuning(
      SafeRolloutPolicy policy,
      Deployment d,
      HardeningPlan plan,
      List<Change> recorded,
      Optional<Long> heldSince,
      boolean oneIsRolling) {
    if (policy.preStop().application() == TuningApplication.Immediately) {
      return oneIsRolling
          ? new TargetPlan(
              d,
              plan,
              recorded,
              Step.HOLD_FOR_PREVIOUS_TARGET,
              Optional.empty(),
              "the tuned preStop waits until the Deployment rolling out now is done (one at a time)")
          : new TargetPlan(
              d,
              plan,
              recorded,
              Step.APPLY,
              Optional.empty(),
              "the tuned preStop rolls out now (applyTuning Immediately)");
    }
    NextRolloutGate.Verdict verdict = gate.decide(d, heldSince);
    if (verdict instanceof NextRolloutGate.Verdict.Open open) {
      return new TargetPlan(
          d, plan, recorded, Step.APPLY, Optional.empty(), "the tuned preStop " + open.why());
    }
    long since = ((NextRolloutGate.Verdict.Held) verdict).sinceRevision();
    return new TargetPlan(
        d,
        plan,
        recorded,
        Step.HOLD_FOR_NEXT_ROLLOUT,
        Optional.of(since),
        "the tuned preStop waits for the next rollout after revision "
            + since
            + " (applyTuning WithNextRollout)");
  }

  /**
   * Whether the plan rolls pods only because Auto tuned the preStop away from the delay the
   * template carries: planned again with the template's own delay, nothing under the template would
   * change. A Deployment without a preStop yet is being hardened, not tuned.
   */
  private static boolean onlyTheTunedPreStopRollsPods(
      SafeRolloutPolicy policy,
      Deployment d,
      HardeningPolicy tuned,
      HardeningPlan plan,
      Function<HardeningPolicy, HardeningPlan> planWith) {
    if (policy.preStop().mode() != PreStopMode.Auto || !rollsPods(plan)) {
      return false;
    }
    Optional<Integer> inTemplate = RolloutObserver.templatePreStop(d);
    return inTemplate.isPresent()
        && inTemplate.get() != tuned.preStopDelaySeconds()
        && !rollsPods(planWith.apply(tuned.withPreStopDelaySeconds(inTemplate.get())));
  }

  private static boolean createdUnder(Deployment d, Optional<Instant> claimedSince) {
    String created = d.getMetadata().getCreationTimestamp();
    if (created == null || claimedSince.isEmpty()) {
      return false;
    }
    try {
      // Timestamps have one-second resolution: the same second counts as created together.
      return !Instant.parse(created).isBefore(claimedSince.get());
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** A change under spec.template starts a rollout (a new ReplicaSet); any other does not. */
  static boolean rollsPods(HardeningPlan plan) {
    return rollsPods(plan.changes());
  }

  static boolean rollsPods(List<Change> changes) {
    return changes.stream().anyMatch(c -> c.path().startsWith("spec.template"));
  }
}
