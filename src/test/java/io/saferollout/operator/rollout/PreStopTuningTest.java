package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneSpec;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.PreStopSpec;
import io.saferollout.api.RolloutRecord;
import io.saferollout.operator.validation.PreStopPolicy;
import io.saferollout.operator.validation.SpecParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PreStopTuningTest {
  static final int WINDOW = 5;

  @Test
  void autoWithoutMeasurementsUsesTheStatedDelay() {
    var d = decide(auto(), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isNull();
    assertThat(d.changed()).isFalse();
  }

  @Test
  void autoWithoutMeasurementsStartsNoShorterThanTheStatedBudgetsPlusMargin() {
    // A cloud load balancer's 30 s path against the default 15 s: the first rollout under Auto
    // must already outlast it, and the status must say the value comes from that budget.
    var d = decide(policy(autoWith(budget("cloud-lb", 30))), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(31);
    assertThat(d.recommendedSeconds()).isEqualTo(31);
    assertThat(d.changed()).isFalse();
    assertThat(d.reason()).contains("no rollout measured yet").contains("cloud-lb 30 s");
    var twoHops =
        decide(policy(autoWith(budget("cloud-lb", 30), budget("ingress", 2.5))), List.of(), null);
    assertThat(twoHops.inForceSeconds()).isEqualTo(34);
    assertThat(twoHops.reason()).contains("cloud-lb 30 s + ingress 2.5 s + margin 1 s");
  }

  @Test
  void aBudgetShorterThanTheStatedDelayLeavesTheDelayInForce() {
    var d = decide(policy(autoWith(budget("ingress", 5))), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.reason()).contains("delaySeconds").contains("ingress 5 s");
  }

  @Test
  void theFactorMultipliesMeasurementsNotStatedBudgets() {
    PreStopSpec spec = autoWith(budget("cloud-lb", 30));
    spec.setFactor(3.0);
    PreStopPolicy s = policy(spec);
    assertThat(decide(s, List.of(), null).inForceSeconds()).isEqualTo(31);
    // measured 2 s x 3 + 1 + 30 = 37, not (2 + 30) x 3 + 1
    assertThat(decide(s, List.of(record(2000, 0)), null).recommendedSeconds()).isEqualTo(37);
  }

  @Test
  void theStartingValueStaysWithinMinAndMax() {
    PreStopSpec spec = autoWith(budget("cloud-lb", 30));
    spec.setMaxSeconds(20);
    var d = decide(policy(spec), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(20);
    assertThat(d.reason()).contains("bounded by minSeconds/maxSeconds");
    PreStopSpec floor = autoSpec();
    floor.setMinSeconds(25);
    assertThat(PreStopTuning.startingSeconds(policy(floor))).isEqualTo(25);
  }

  @Test
  void aBudgetStatedWhileAutoIsInForceRaisesItBeforeAnyMeasurement() {
    var raised = decide(policy(autoWith(budget("cloud-lb", 30))), List.of(), 15);
    assertThat(raised.inForceSeconds()).isEqualTo(31);
    assertThat(raised.changed()).isTrue();
    // A longer value in force is not lowered on no evidence; the next measurement moves it.
    var kept = decide(policy(autoWith(budget("cloud-lb", 10))), List.of(), 31);
    assertThat(kept.inForceSeconds()).isEqualTo(31);
    assertThat(kept.changed()).isFalse();
    assertThat(kept.reason()).contains("keeping 31 s");
  }

  @Test
  void fixedModeWithoutMeasurementsRecommendsWhatTheStatedBudgetsCallFor() {
    PreStopSpec fixed = autoWith(budget("cloud-lb", 30));
    fixed.setMode(PreStopMode.Fixed);
    var d = decide(policy(fixed), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isEqualTo(31);
    assertThat(d.reason()).contains("31 s").contains("cloud-lb 30 s");
    PreStopSpec plain = autoSpec();
    plain.setMode(PreStopMode.Fixed);
    assertThat(decide(policy(plain), List.of(), null).recommendedSeconds()).isNull();
  }

  @Test
  void recommendationIsP99TimesFactorPlusMarginPlusBudgetsWithinBounds() {
    // control 800 ms + data plane 1200 ms = 2 s; x1.5 + 1 = 4 s; with 32.5 s of budgets 36.5 -> 37
    // s
    assertThat(decide(auto(), List.of(record(800, 1200)), null).recommendedSeconds()).isEqualTo(4);
    PreStopSpec withBudget = autoSpec();
    withBudget.getBudgets().add(new PathBudget("cloud-lb", 30));
    withBudget.getBudgets().add(new PathBudget("ingress", 2.5));
    assertThat(decide(policy(withBudget), List.of(record(800, 1200)), null).recommendedSeconds())
        .isEqualTo(37);
    PreStopSpec bounded = autoSpec();
    bounded.setMaxSeconds(20);
    assertThat(decide(policy(bounded), List.of(record(60_000, 0)), null).recommendedSeconds())
        .isEqualTo(20);
    assertThat(decide(auto(), List.of(record(0, 0)), null).recommendedSeconds()).isEqualTo(1);
  }

  @Test
  void fixedModeShowsTheRecommendationButKeepsTheStatedDelay() {
    PreStopSpec fixed = autoSpec();
    fixed.setMode(PreStopMode.Fixed);
    var d = decide(policy(fixed), List.of(record(1000, 0)), 4);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isEqualTo(3);
    assertThat(d.reason()).contains("3 s");
  }

  @Test
  void followsAProfileChangeFromOneToFiveSecondsWithinAFewRollouts() {
    Random noise = new Random(7);
    List<RolloutRecord> history = new ArrayList<>();
    Integer inForce = null;
    for (int i = 0; i < 10; i++) {
      inForce = roll(history, inForce, 1000 + noise.nextInt(200));
    }
    assertThat(inForce).isEqualTo(3);
    int rolloutsToFollow = 0;
    while (inForce < 9 && rolloutsToFollow < 10) {
      inForce = roll(history, inForce, 5000 + noise.nextInt(200));
      rolloutsToFollow++;
    }
    // 5 s x 1.5 + 1 = 8.5 -> 9 s
    assertThat(inForce).isEqualTo(9);
    assertThat(rolloutsToFollow).isLessThanOrEqualTo(2);
  }

  @Test
  void followsTheProfileBackDownOnceTheWindowNoLongerHoldsTheSlowRollouts() {
    List<RolloutRecord> history = new ArrayList<>();
    Integer inForce = null;
    for (int i = 0; i < 5; i++) {
      inForce = roll(history, inForce, 5000);
    }
    assertThat(inForce).isEqualTo(9);
    int rollouts = 0;
    while (inForce > 3 && rollouts < 20) {
      inForce = roll(history, inForce, 1000);
      rollouts++;
    }
    assertThat(inForce).isEqualTo(3);
    assertThat(rollouts).isLessThanOrEqualTo(WINDOW);
  }

  @Test
  void doesNotFlapWhileTheProfileStaysPut() {
    // p99 noise between 1.0 and 1.7 s puts single-rollout recommendations at 3 or 4 s, on both
    // sides of whatever is in force; the value in force must settle and stay.
    Random noise = new Random(42);
    List<RolloutRecord> history = new ArrayList<>();
    Integer inForce = null;
    int changes = 0;
    for (int i = 0; i < 100; i++) {
      Integer before = inForce;
      inForce = roll(history, inForce, 1000 + noise.nextInt(700));
      if (before != null && !before.equals(inForce)) {
        changes++;
      }
    }
    assertThat(changes).isLessThanOrEqualTo(1);
  }

  @Test
  void aLongerRemovalRaisesTheDelayAtOnceEvenBySmallSteps() {
    // 2 s in force; one rollout's 1 s p99 calls for 1 x 1.5 + 1 = 2.5 -> 3 s: a removal longer
    // than the delay of running pods is lost requests, so no waiting for more rollouts.
    var up = decide(auto(), List.of(record(1000, 0)), 2);
    assertThat(up.inForceSeconds()).isEqualTo(3);
    assertThat(up.changed()).isTrue();
  }

  @Test
  void smallMovesDownAreNoise() {
    // Enough evidence calling for 0 x 1.5 + 1 = 1 s. From 3 s that is 2 s down, more than the
    // 1 s threshold, so it moves; from 2 s it is 1 s down, within the threshold.
    assertThat(decide(auto(), plenty(0, 0), 3).inForceSeconds()).isEqualTo(1);
    var kept = decide(auto(), plenty(0, 0), 2);
    assertThat(kept.inForceSeconds()).isEqualTo(2);
    assertThat(kept.changed()).isFalse();
  }

  @Test
  void autoLowersOnlyAfterThreeMeasuredRolloutsOfTwentyRemovals() {
    // 15 s in force; each rollout: control 800 + data 1200 = 2 s -> 2 x 1.5 + 1 = 4 s.
    List<RolloutRecord> history = new ArrayList<>();
    history.add(record(800, 1200, 10));
    history.add(record(800, 1200, 10));
    var two = decide(auto(), history, 15);
    assertThat(two.inForceSeconds()).isEqualTo(15);
    assertThat(two.recommendedSeconds()).isEqualTo(4);
    assertThat(two.reason()).contains("have 2 and 20");
    history.add(record(800, 1200, 10));
    assertThat(decide(auto(), history, 15).inForceSeconds()).isEqualTo(4);

    // Three rollouts of 5 pods are 15 removals: not enough; a fourth makes 20.
    List<RolloutRecord> small = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      small.add(record(800, 1200, 5));
    }
    assertThat(decide(auto(), small, 15).inForceSeconds()).isEqualTo(15);
    small.add(record(800, 1200, 5));
    assertThat(decide(auto(), small, 15).inForceSeconds()).isEqualTo(4);
  }

  @Test
  void theAdoptionRolloutIsNoEvidenceToLowerOn() {
    // The adoption rollout replaced 10 pods that never had a preStop: with it, three rollouts
    // and 30 removals, but only two rollouts of hardened pods.
    RolloutRecord adoption = record(800, 1200, 10);
    adoption.setPodsWithoutPreStop(10);
    var d =
        decide(
            auto(),
            List.of(adoption, record(800, 1200, 10), record(800, 1200, 10)),
            (Integer) null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isEqualTo(4);
  }

  @Test
  void anUnreadableDataPlaneNeverTakesAutoBelowDelaySeconds() {
    // kube-proxy bound to 127.0.0.1: the control plane alone measured 40 ms on 50 pods, which
    // would call for 0.04 x 1.5 + 1 = 1.06 -> 2 s.
    List<RolloutRecord> controlPlaneOnly = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RolloutRecord r = record(40, 0, 10);
      r.setDataPlaneMs(null);
      r.setDataPlaneNodesUnread(3);
      controlPlaneOnly.add(r);
    }
    var blind =
        PreStopTuning.decide(
            auto(),
            controlPlaneOnly,
            new PreStopTuning.Known(15, DataPlaneVisibility.Unreadable, noTakeover()));
    assertThat(blind.inForceSeconds()).isEqualTo(15);
    assertThat(blind.recommendedSeconds()).isEqualTo(2);
    assertThat(blind.reason()).contains("cannot be read");

    // Auto had lowered to 4 s on data-plane evidence; the nodes stop answering: back up at once.
    var raised =
        PreStopTuning.decide(
            auto(),
            plenty(800, 1200),
            new PreStopTuning.Known(4, DataPlaneVisibility.Unreadable, noTakeover()));
    assertThat(raised.inForceSeconds()).isEqualTo(15);
    assertThat(raised.changed()).isTrue();

    // Records without data-plane figures hold Auto up even before any reading is known.
    assertThat(decide(auto(), controlPlaneOnly, 15).inForceSeconds()).isEqualTo(15);
  }

  @Test
  void sourceNoneKeepsDelaySecondsAsAFloorButStillRaises() {
    PreStopSpec spec = autoSpec();
    DataPlaneSpec none = new DataPlaneSpec();
    none.setSource(DataPlaneSource.None);
    spec.setDataPlane(none);
    PreStopPolicy s = policy(spec);
    assertThat(decide(s, plenty(40, 0), 15).inForceSeconds()).isEqualTo(15);
    // 20 s of control-plane removal: 20 x 1.5 + 1 = 31 s.
    assertThat(decide(s, plenty(20_000, 0), 15).inForceSeconds()).isEqualTo(31);
  }

  @Test
  void aSingleReplicaAddsItsReplacementsStartAndReadiness() {
    // One replica, readiness initialDelay 5 s, period 5 s, successThreshold 2: 5 + 5 x 2 = 15 s
    // to turn ready, after the 5 s pod start: 20 s.
    Deployment single = deployment(1, readiness(5, 5, 2));
    EndpointTakeover.Need need = EndpointTakeover.of(single);
    assertThat(need.seconds()).isEqualTo(20);
    // Nothing measured: max(15, 0 + 1) + 20 = 35 s.
    var start = PreStopTuning.decide(auto(), List.of(), new PreStopTuning.Known(null, null, need));
    assertThat(start.inForceSeconds()).isEqualTo(35);
    assertThat(start.reason()).contains("one replica");
    // Measured 2 s: 2 x 1.5 + 1 + 20 = 24 s.
    var measured =
        PreStopTuning.decide(auto(), plenty(800, 1200), new PreStopTuning.Known(35, null, need));
    assertThat(measured.inForceSeconds()).isEqualTo(24);
  }

  @Test
  void aTakeoverIsNeededOnlyWhereEveryReadyEndpointCanTerminateAtOnce() {
    assertThat(EndpointTakeover.of(deployment(3, readiness(0, 5, 1))).seconds()).isZero();
    // No readiness probe: ready as soon as it runs, 5 s of start only.
    assertThat(EndpointTakeover.of(deployment(1, null)).seconds()).isEqualTo(5);
    Deployment allAtOnce = deployment(2, readiness(0, 10, 1));
    allAtOnce
        .getSpec()
        .setStrategy(
            new DeploymentStrategyBuilder()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxSurge(new IntOrString(0))
                .withMaxUnavailable(new IntOrString("100%"))
                .endRollingUpdate()
                .build());
    assertThat(EndpointTakeover.of(allAtOnce).seconds()).isEqualTo(15);
    Deployment oneAtATime = deployment(2, readiness(0, 10, 1));
    oneAtATime
        .getSpec()
        .setStrategy(
            new DeploymentStrategyBuilder()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxSurge(new IntOrString(0))
                .withMaxUnavailable(new IntOrString(1))
                .endRollingUpdate()
                .build());
    assertThat(EndpointTakeover.of(oneAtATime).seconds()).isZero();
  }

  @Test
  void theDataPlaneFigureIsTheSlowestOfNNodesNotThePooledP99() {
    // 500 nodes, 100 syncs each: 49,500 within 1 s, 500 between 1 and 5 s. The pooled p99 is
    // 1 s; the slowest of 500 nodes is at quantile 1 - 0.01/500 = 0.99998, rank 49,999, i.e.
    // 499 of the 500 slow ones into the (1, 5] bucket: 1 + 4 x 499/500 = 4.992 s.
    CumulativeHistogram pooled =
        CumulativeHistogram.ofCompact("1=49500 5=50000 +Inf=50000", 0, 50000);
    assertThat(pooled.quantile(0.99)).hasValue(1.0);
    assertThat(RolloutObserver.slowestNodeQuantile(500)).isCloseTo(0.99998, within(1e-12));
    assertThat(pooled.quantile(RolloutObserver.slowestNodeQuantile(500)).orElseThrow())
        .isCloseTo(4.992, within(1e-9));
    assertThat(RolloutObserver.slowestNodeQuantile(1)).isCloseTo(0.99, within(1e-12));
  }

  private static Integer roll(List<RolloutRecord> history, Integer inForce, long removalP99Ms) {
    history.add(record(removalP99Ms, 0));
    if (history.size() > WINDOW) {
      history.remove(0);
    }
    return decide(auto(), history, inForce).inForceSeconds();
  }

  private static PreStopTuning.Decision decide(
      PreStopPolicy s, List<RolloutRecord> window, Integer inForce) {
    return PreStopTuning.decide(s, window, PreStopTuning.Known.inForce(inForce));
  }

  private static EndpointTakeover.Need noTakeover() {
    return EndpointTakeover.of(deployment(3, null));
  }

  /** Five measured rollouts of 10 hardened pods each: enough to lower on. */
  private static List<RolloutRecord> plenty(long controlP99, long dataP99) {
    List<RolloutRecord> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      out.add(record(controlP99, dataP99, 10));
    }
    return out;
  }

  private static Probe readiness(int initialDelay, int period, int successes) {
    return new ProbeBuilder()
        .withInitialDelaySeconds(initialDelay)
        .withPeriodSeconds(period)
        .withSuccessThreshold(successes)
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString(8080))
        .endHttpGet()
        .build();
  }

  private static Deployment deployment(int replicas, Probe readiness) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("shop/web:1")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .withReadinessProbe(readiness)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PreStopSpec autoSpec() {
    PreStopSpec spec = new PreStopSpec();
    spec.setMode(PreStopMode.Auto);
    return spec;
  }

  private static PreStopSpec autoWith(PathBudget... budgets) {
    PreStopSpec spec = autoSpec();
    spec.getBudgets().addAll(List.of(budgets));
    return spec;
  }

  private static PathBudget budget(String hop, double seconds) {
    return new PathBudget(hop, seconds);
  }

  private static PreStopPolicy policy(PreStopSpec spec) {
    return SpecParser.preStop(spec).value().orElseThrow();
  }

  private static PreStopPolicy auto() {
    return policy(autoSpec());
  }

  private static RolloutRecord record(long controlP99, long dataP99) {
    return record(controlP99, dataP99, 10);
  }

  /** A rollout of {@code pods} hardened pods, every node's kube-proxy read. */
  private static RolloutRecord record(long controlP99, long dataP99, int pods) {
    RolloutRecord r = new RolloutRecord();
    r.setPodsReplaced(pods);
    r.setPodsMeasured(pods);
    r.setPodsWithoutPreStop(0);
    r.setDataPlaneNodesUnread(0);
    r.setEndpointRemovalMs(new LatencyFigures(controlP99 / 2, controlP99, controlP99));
    r.setDataPlaneMs(new LatencyFigures(dataP99 / 2, dataP99, dataP99));
    return r;
  }
}
