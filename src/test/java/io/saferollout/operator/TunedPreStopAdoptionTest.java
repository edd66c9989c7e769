package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.Adoption;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.PreStopTuningStatus;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TargetRef;
import io.saferollout.api.TuningApplication;
import io.saferollout.operator.TargetPlan.Step;
import io.saferollout.operator.adoption.NextRolloutGate;
import io.saferollout.operator.rollout.PreStopTuning;
import io.saferollout.operator.rollout.RolloutObserver;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.operator.validation.SpecParser;
import io.saferollout.rules.Change;
import io.saferollout.rules.ClusterCapabilities;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A preStop tuned by Auto reaches the pod template through the plan step: with applyTuning
 * WithNextRollout it rides with the user's next rollout (NextRolloutGate), with Immediately it
 * rolls now; either way independent of the adoption policy, which is about taking a Deployment
 * over.
 */
class TunedPreStopAdoptionTest {
  static final String PRE_STOP = "spec.template.spec.containers[web].lifecycle.preStop";
  final HardeningPlanner planner = new HardeningPlanner(new NextRolloutGate());

  @Test
  void withNextRolloutTheTunedValueWaitsForTheUsersRolloutThenRidesWithIt() {
    SafeRollout sr = auto(TuningApplication.WithNextRollout);
    Deployment hardened = hardenedAt15("4");

    TargetPlan held = onlyPlan(sr, hardened, 5, new SafeRolloutStatus());
    assertThat(held.step()).as(held.why()).isEqualTo(Step.HOLD_FOR_NEXT_ROLLOUT);
    assertThat(held.heldSinceRevision()).contains(4L);
    assertThat(held.plan().changes()).extracting(Change::path).contains(PRE_STOP);

    SafeRolloutStatus previous = new SafeRolloutStatus();
    previous.setPending(List.of(new PendingChanges("web", 4L, List.of())));
    assertThat(onlyPlan(sr, hardened, 5, previous).step())
        .as("no rollout of its own while the user starts none")
        .isEqualTo(Step.HOLD_FOR_NEXT_ROLLOUT);

    Deployment usersRollout =
        new DeploymentBuilder(hardened)
            .editMetadata()
            .addToAnnotations(NextRolloutGate.REVISION, "5")
            .endMetadata()
            .editStatus()
            .withUpdatedReplicas(1)
            .endStatus()
            .build();
    TargetPlan joined = onlyPlan(sr, usersRollout, 5, previous);
    assertThat(joined.step()).as(joined.why()).isEqualTo(Step.APPLY);
    assertThat(RolloutObserver.templatePreStop(joined.plan().hardened())).contains(5);
  }

  @Test
  void immediatelyRollsTheTunedValueNowEvenUnderAdoptionNextRollout() {
    SafeRollout sr = auto(TuningApplication.Immediately);
    sr.getSpec().setAdoption(Adoption.NextRollout);
    TargetPlan now = onlyPlan(sr, hardenedAt15("4"), 5, new SafeRolloutStatus());
    assertThat(now.step()).as(now.why()).isEqualTo(Step.APPLY);
    assertThat(RolloutObserver.templatePreStop(now.plan().hardened())).contains(5);
  }

  @Test
  void aTemplateThatCarriesTheTunedValueIsInSync() {
    SafeRollout sr = auto(TuningApplication.WithNextRollout);
    assertThat(onlyPlan(sr, hardenedAt15("4"), 15, new SafeRolloutStatus()).step())
        .isEqualTo(Step.IN_SYNC);
  }

  @Test
  void aDeploymentNotHardenedYetFollowsTheAdoptionPolicyWithTheTunedValue() {
    SafeRollout sr = auto(TuningApplication.WithNextRollout);
    sr.getSpec().setAdoption(Adoption.Immediately);
    TargetPlan first =
        onlyPlan(sr, ReconcileDecisionsTest.running("web", "4"), 5, new SafeRolloutStatus());
    assertThat(first.step()).as(first.why()).isEqualTo(Step.APPLY);
    assertThat(RolloutObserver.templatePreStop(first.plan().hardened())).contains(5);
  }

  private TargetPlan onlyPlan(
      SafeRollout sr, Deployment d, int tunedSeconds, SafeRolloutStatus previous) {
    List<TargetPlan> plans =
        planner.plan(policy(sr), seen(d, tunedSeconds), previous, Optional.empty());
    assertThat(plans).hasSize(1);
    return plans.get(0);
  }

  /**
   * A Deployment the operator hardened (Immediately) with the default 15 s, rolled out at {@code
   * revision}.
   */
  private Deployment hardenedAt15(String revision) {
    SafeRollout sr = auto(TuningApplication.WithNextRollout);
    sr.getSpec().setAdoption(Adoption.Immediately);
    TargetPlan p =
        onlyPlan(sr, ReconcileDecisionsTest.running("web", "3"), 15, new SafeRolloutStatus());
    assertThat(p.step()).isEqualTo(Step.APPLY);
    return new DeploymentBuilder(p.plan().hardened())
        .editMetadata()
        .addToAnnotations(AppliedChangesRecord.HARDENED_BY, sr.getMetadata().getName())
        .addToAnnotations(
            AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(p.plan().changes()))
        .addToAnnotations(NextRolloutGate.REVISION, revision)
        .endMetadata()
        .build();
  }

  private static Observation seen(Deployment d, int tunedSeconds) {
    PreStopTuningStatus tuning = new PreStopTuningStatus();
    tuning.setMode(PreStopMode.Auto);
    tuning.setInForceSeconds(tunedSeconds);
    var followed =
        new RolloutObserver.Observation(
            tunedSeconds,
            new PreStopTuning.Decision(tunedSeconds, tunedSeconds, false, "test"),
            List.of(),
            List.of(),
            tuning,
            List.of());
    return new Observation(
        List.of(d),
        List.of(d),
        List.of(),
        List.of(),
        ClusterCapabilities.LATEST,
        NamespaceMetadata.Meta.UNKNOWN,
        Optional.of(followed));
  }

  private static SafeRollout auto(TuningApplication application) {
    SafeRollout sr =
        OperatorHarness.safeRollout(
            "front",
            TargetRef.bySelector(
                new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build()));
    sr.getMetadata().setGeneration(1L);
    sr.getSpec().setAdoption(Adoption.Immediately);
    sr.getSpec().getPreStop().setMode(PreStopMode.Auto);
    sr.getSpec().getPreStop().setApplyTuning(application);
    return sr;
  }

  private static SafeRolloutPolicy policy(SafeRollout sr) {
    return SpecParser.parse(sr.getSpec()).value().orElseThrow();
  }
}
