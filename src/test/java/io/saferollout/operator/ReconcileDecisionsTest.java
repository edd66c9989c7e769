package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.saferollout.api.Adoption;
import io.saferollout.api.DataPlaneReading;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.Mode;
import io.saferollout.api.PendingChanges;
import io.saferollout.api.Phase;
import io.saferollout.api.PreStopTuningStatus;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.api.TargetRef;
import io.saferollout.operator.TargetPlan.Step;
import io.saferollout.operator.adoption.NextRolloutGate;
import io.saferollout.operator.validation.Parsed;
import io.saferollout.operator.validation.SafeRolloutPolicy;
import io.saferollout.operator.validation.SpecParser;
import io.saferollout.rules.ClusterCapabilities;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Plan, status and Event of a reconcile, decided without a server. */
class ReconcileDecisionsTest {
  static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");
  final HardeningPlanner planner = new HardeningPlanner(new NextRolloutGate());

  @Test
  void nextRolloutHoldsARunningDeploymentAndShowsThePendingPlan() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.FillMissing);
    Observation seen = seen(running("web", "3"));
    List<TargetPlan> plans =
        planner.plan(policy(sr), seen, new SafeRolloutStatus(), Optional.empty());
    assertThat(plans)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.step()).isEqualTo(Step.HOLD_FOR_NEXT_ROLLOUT);
              assertThat(p.heldSinceRevision()).contains(3L);
            });

    ReconcileFacts facts = facts(sr, seen, plans);
    SafeRolloutStatus status = StatusDecision.decide(sr, facts, NOW);
    assertThat(status.getPhase()).isEqualTo(Phase.AwaitingRollout);
    assertThat(status.getPending())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getDeployment()).isEqualTo("web");
              assertThat(p.getHeldSinceRevision()).isEqualTo(3L);
              assertThat(p.getChanges())
                  .extracting("path")
                  .contains("spec.template.spec.containers[web].readinessProbe");
            });
    assertThat(status.getAppliedChanges()).as("nothing is set yet").isEmpty();
    assertThat(condition(status, "Ready").getReason()).isEqualTo("AwaitingRollout");
    assertThat(condition(status, "Ready").getStatus())
        .as("waiting is the steady state, not a fault")
        .isEqualTo("True");
    assertThat(EventSummary.of(new SafeRolloutStatus(), status, facts))
        .hasValueSatisfying(
            e -> {
              assertThat(e.reason()).isEqualTo(EventReason.AwaitingRollout);
              assertThat(e.message()).contains("web").contains("next pod-template change");
            });
    sr.setStatus(status);
    assertThat(
            EventSummary.of(status, StatusDecision.decide(sr, facts, NOW.plusSeconds(60)), facts))
        .as("still pending is no news")
        .isEmpty();
  }

  @Test
  void theUsersRolloutReleasesTheHeldChanges() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.FillMissing);
    SafeRolloutStatus previous = new SafeRolloutStatus();
    previous.setPending(List.of(new PendingChanges("web", 3L, List.of())));
    Deployment rolling =
        new DeploymentBuilder(running("web", "4"))
            .editStatus()
            .withUpdatedReplicas(1)
            .endStatus()
            .build();
    assertThat(planner.plan(policy(sr), seen(rolling), previous, Optional.empty()))
        .singleElement()
        .extracting(TargetPlan::step)
        .isEqualTo(Step.APPLY);
  }

  @Test
  void aDeploymentCreatedUnderItsSafeRolloutIsHardenedAtOnce() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.FillMissing);
    Deployment created =
        new DeploymentBuilder(running("web", "1"))
            .editMetadata()
            .withCreationTimestamp("2026-11-28T08:00:05Z")
            .endMetadata()
            .build();
    assertThat(
            planner.plan(
                policy(sr),
                seen(created),
                new SafeRolloutStatus(),
                Optional.of(Instant.parse("2026-11-28T08:00:05Z"))))
        .singleElement()
        .extracting(TargetPlan::step)
        .isEqualTo(Step.APPLY);
    assertThat(
            planner.plan(
                policy(sr),
                seen(created),
                new SafeRolloutStatus(),
                Optional.of(Instant.parse("2026-11-28T08:00:06Z"))))
        .as("a Deployment older than its SafeRollout waits")
        .singleElement()
        .extracting(TargetPlan::step)
        .isEqualTo(Step.HOLD_FOR_NEXT_ROLLOUT);
  }

  @Test
  void immediatelyRollsOneDeploymentAtATime() {
    SafeRollout sr = safeRollout(Adoption.Immediately, Mode.FillMissing);
    List<TargetPlan> plans =
        planner.plan(
            policy(sr),
            seen(running("a", "1"), running("b", "1")),
            new SafeRolloutStatus(),
            Optional.empty());
    assertThat(plans)
        .extracting(TargetPlan::step)
        .containsExactly(Step.APPLY, Step.HOLD_FOR_PREVIOUS_TARGET);

    Deployment aRolling =
        new DeploymentBuilder(running("a", "2"))
            .editStatus()
            .withUpdatedReplicas(1)
            .endStatus()
            .build();
    assertThat(
            planner.plan(
                policy(sr),
                seen(aRolling, running("b", "1")),
                new SafeRolloutStatus(),
                Optional.empty()))
        .extracting(TargetPlan::step)
        .containsExactly(Step.HOLD_FOR_PREVIOUS_TARGET, Step.HOLD_FOR_PREVIOUS_TARGET);
  }

  @Test
  void auditReportsWhatWouldChangeAndHoldsNothing() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.Audit);
    Observation seen = seen(running("web", "3"));
    List<TargetPlan> plans =
        planner.plan(policy(sr), seen, new SafeRolloutStatus(), Optional.empty());
    assertThat(plans).extracting(TargetPlan::step).containsExactly(Step.REPORT_ONLY);
    SafeRolloutStatus status = StatusDecision.decide(sr, facts(sr, seen, plans), NOW);
    assertThat(status.getPhase()).isEqualTo(Phase.Audited);
    assertThat(status.getAppliedChanges()).isNotEmpty();
    assertThat(status.getPending()).isEmpty();
  }

  @Test
  void appliedChangesMakeOneSummaryEventNotOnePerField() {
    SafeRollout sr = safeRollout(Adoption.Immediately, Mode.FillMissing);
    Observation seen = seen(running("web", "3"));
    List<TargetPlan> plans =
        planner.plan(policy(sr), seen, new SafeRolloutStatus(), Optional.empty());
    TargetPlan p = plans.get(0);
    ReconcileFacts facts =
        ReconcileFacts.of(
            parsed(sr), seen, List.of(new TargetResult(p, p.plan().changes(), p.plan().changes())));
    SafeRolloutStatus status = StatusDecision.decide(sr, facts, NOW);
    assertThat(status.getPhase()).isEqualTo(Phase.Hardened);
    assertThat(condition(status, "Progressing").getStatus())
        .as("our patch starts a rollout")
        .isEqualTo("True");
    assertThat(p.plan().changes()).hasSizeGreaterThan(2);
    assertThat(EventSummary.of(new SafeRolloutStatus(), status, facts))
        .hasValueSatisfying(
            e -> {
              assertThat(e.reason()).isEqualTo(EventReason.Hardened);
              assertThat(e.message()).contains("Deployment web: set").contains("rolls out now");
            });
  }

  @Test
  void anInvalidSpecIsDegradedWithEveryProblemAndReportedOnceByEvent() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.FillMissing);
    sr.getSpec().setDrainSeconds(-1);
    sr.getSpec().getReadinessProbe().setPath("healthz");
    ReconcileFacts facts = ReconcileFacts.invalid(parsed(sr));
    SafeRolloutStatus status = StatusDecision.decide(sr, facts, NOW);
    assertThat(status.getPhase()).isEqualTo(Phase.Degraded);
    Condition degraded = condition(status, "Degraded");
    assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
    assertThat(degraded.getMessage())
        .contains("spec.drainSeconds")
        .contains("spec.readinessProbe.path");
    assertThat(EventSummary.of(new SafeRolloutStatus(), status, facts)).isPresent();
    assertThat(EventSummary.of(status, status, facts))
        .as("the same problems again are no news")
        .isEmpty();
  }

  @Test
  void aConditionKeepsItsTransitionTimeWhileItsStatusHolds() {
    SafeRollout sr = safeRollout(Adoption.Immediately, Mode.FillMissing);
    Observation seen = seen(running("web", "3"));
    ReconcileFacts facts =
        facts(sr, seen, planner.plan(policy(sr), seen, new SafeRolloutStatus(), Optional.empty()));
    SafeRolloutStatus first = StatusDecision.decide(sr, facts, NOW);
    sr.setStatus(first);
    SafeRolloutStatus later = StatusDecision.decide(sr, facts, NOW.plusSeconds(300));
    assertThat(StatusComparison.same(first, later)).isTrue();
  }

  @Test
  void dataPlaneMeasuredFollowsTheLastReadingAndIsAbsentBeforeOne() {
    SafeRollout sr = safeRollout(Adoption.NextRollout, Mode.FillMissing);
    Observation seen = seen(running("web", "3"));
    ReconcileFacts facts =
        facts(sr, seen, planner.plan(policy(sr), seen, new SafeRolloutStatus(), Optional.empty()));
    assertThat(StatusDecision.decide(sr, facts, NOW).getConditions())
        .extracting(Condition::getType)
        .doesNotContain("DataPlaneMeasured");

    SafeRolloutStatus previous = new SafeRolloutStatus();
    previous.setPreStopTuning(new PreStopTuningStatus());
    DataPlaneReading unreadable = new DataPlaneReading();
    unreadable.setVisibility(DataPlaneVisibility.Unreadable);
    unreadable.setMessage("node node-1: java.net.ConnectException");
    previous.getPreStopTuning().setDataPlane(unreadable);
    sr.setStatus(previous);
    Condition blind = condition(StatusDecision.decide(sr, facts, NOW), "DataPlaneMeasured");
    assertThat(blind.getStatus()).isEqualTo("False");
    assertThat(blind.getReason()).isEqualTo("DataPlaneUnreadable");
    assertThat(blind.getMessage()).contains("node-1");

    DataPlaneReading readable = new DataPlaneReading();
    readable.setVisibility(DataPlaneVisibility.Readable);
    readable.setMessage("kube-proxy answered on all 1 node(s)");
    previous.getPreStopTuning().setDataPlane(readable);
    Condition seeing = condition(StatusDecision.decide(sr, facts, NOW), "DataPlaneMeasured");
    assertThat(seeing.getStatus()).isEqualTo("True");
    assertThat(seeing.getReason()).isEqualTo("DataPlaneReadable");
  }

  private static SafeRollout safeRollout(Adoption adoption, Mode mode) {
    SafeRollout sr =
        OperatorHarness.safeRollout(
            "front",
            TargetRef.bySelector(
                new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build()));
    sr.getMetadata().setGeneration(1L);
    sr.getSpec().setAdoption(adoption);
    sr.getSpec().setMode(mode);
    return sr;
  }

  /** A Deployment the controller has rolled out completely at the given revision. */
  static Deployment running(String name, String revision) {
    return new DeploymentBuilder(OperatorHarness.deployment(name, Map.of("tier", "front")))
        .editMetadata()
        .withGeneration(2L)
        .addToAnnotations(NextRolloutGate.REVISION, revision)
        .endMetadata()
        .withNewStatus()
        .withObservedGeneration(2L)
        .withReplicas(3)
        .withUpdatedReplicas(3)
        .withAvailableReplicas(3)
        .addNewCondition()
        .withType("Progressing")
        .withStatus("True")
        .withReason("NewReplicaSetAvailable")
        .endCondition()
        .endStatus()
        .build();
  }

  private static Observation seen(Deployment... ours) {
    return new Observation(
        List.of(ours),
        List.of(ours),
        List.of(),
        List.of(),
        ClusterCapabilities.LATEST,
        NamespaceMetadata.Meta.UNKNOWN,
        Optional.empty());
  }

  private static Parsed<SafeRolloutPolicy> parsed(SafeRollout sr) {
    return SpecParser.parse(sr.getSpec());
  }

  private static SafeRolloutPolicy policy(SafeRollout sr) {
    return parsed(sr).value().orElseThrow();
  }

  private static ReconcileFacts facts(SafeRollout sr, Observation seen, List<TargetPlan> plans) {
    return ReconcileFacts.of(
        parsed(sr),
        seen,
        plans.stream().map(p -> new TargetResult(p, p.recorded(), List.of())).toList());
  }

  private static Condition condition(SafeRolloutStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
