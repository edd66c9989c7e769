package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

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
    var d = PreStopTuning.decide(auto(), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isNull();
    assertThat(d.changed()).isFalse();
  }

  @Test
  void autoWithoutMeasurementsStartsNoShorterThanTheStatedBudgetsPlusMargin() {
    // A cloud load balancer's 30 s path against the default 15 s: the first rollout under Auto
    // must already outlast it, and the status must say the value comes from that budget.
    var d = PreStopTuning.decide(policy(autoWith(budget("cloud-lb", 30))), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(31);
    assertThat(d.recommendedSeconds()).isEqualTo(31);
    assertThat(d.changed()).isFalse();
    assertThat(d.reason()).contains("no rollout measured yet").contains("cloud-lb 30 s");
    var twoHops =
        PreStopTuning.decide(
            policy(autoWith(budget("cloud-lb", 30), budget("ingress", 2.5))), List.of(), null);
    assertThat(twoHops.inForceSeconds()).isEqualTo(34);
    assertThat(twoHops.reason()).contains("cloud-lb 30 s + ingress 2.5 s + margin 1 s");
  }

  @Test
  void aBudgetShorterThanTheStatedDelayLeavesTheDelayInForce() {
    var d = PreStopTuning.decide(policy(autoWith(budget("ingress", 5))), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.reason()).contains("delaySeconds").contains("ingress 5 s");
  }

  @Test
  void theFactorMultipliesMeasurementsNotStatedBudgets() {
    PreStopSpec spec = autoWith(budget("cloud-lb", 30));
    spec.setFactor(3.0);
    PreStopPolicy s = policy(spec);
    assertThat(PreStopTuning.decide(s, List.of(), null).inForceSeconds()).isEqualTo(31);
    // measured 2 s x 3 + 1 + 30 = 37, not (2 + 30) x 3 + 1
    assertThat(PreStopTuning.decide(s, List.of(record(2000, 0)), null).recommendedSeconds())
        .isEqualTo(37);
  }

  @Test
  void theStartingValueStaysWithinMinAndMax() {
    PreStopSpec spec = autoWith(budget("cloud-lb", 30));
    spec.setMaxSeconds(20);
    var d = PreStopTuning.decide(policy(spec), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(20);
    assertThat(d.reason()).contains("bounded by minSeconds/maxSeconds");
    PreStopSpec floor = autoSpec();
    floor.setMinSeconds(25);
    assertThat(PreStopTuning.startingSeconds(policy(floor))).isEqualTo(25);
  }

  @Test
  void aBudgetStatedWhileAutoIsInForceRaisesItBeforeAnyMeasurement() {
    var raised = PreStopTuning.decide(policy(autoWith(budget("cloud-lb", 30))), List.of(), 15);
    assertThat(raised.inForceSeconds()).isEqualTo(31);
    assertThat(raised.changed()).isTrue();
    // A longer value in force is not lowered on no evidence; the next measurement moves it.
    var kept = PreStopTuning.decide(policy(autoWith(budget("cloud-lb", 10))), List.of(), 31);
    assertThat(kept.inForceSeconds()).isEqualTo(31);
    assertThat(kept.changed()).isFalse();
    assertThat(kept.reason()).contains("keeping 31 s");
  }

  @Test
  void fixedModeWithoutMeasurementsRecommendsWhatTheStatedBudgetsCallFor() {
    PreStopSpec fixed = autoWith(budget("cloud-lb", 30));
    fixed.setMode(PreStopMode.Fixed);
    var d = PreStopTuning.decide(policy(fixed), List.of(), null);
    assertThat(d.inForceSeconds()).isEqualTo(15);
    assertThat(d.recommendedSeconds()).isEqualTo(31);
    assertThat(d.reason()).contains("31 s").contains("cloud-lb 30 s");
    PreStopSpec plain = autoSpec();
    plain.setMode(PreStopMode.Fixed);
    assertThat(PreStopTuning.decide(policy(plain), List.of(), null).recommendedSeconds()).isNull();
  }

  @Test
  void recommendationIsP99TimesFactorPlusMarginPlusBudgetsWithinBounds() {
    // control 800 ms + data plane 1200 ms = 2 s; x1.5 + 1 = 4 s; with 32.5 s of budgets 36.5 -> 37
    // s
    assertThat(PreStopTuning.decide(auto(), List.of(record(800, 1200)), null).recommendedSeconds())
        .isEqualTo(4);
    PreStopSpec withBudget = autoSpec();
    withBudget.getBudgets().add(new PathBudget("cloud-lb", 30));
    withBudget.getBudgets().add(new PathBudget("ingress", 2.5));
    assertThat(
            PreStopTuning.decide(policy(withBudget), List.of(record(800, 1200)), null)
                .recommendedSeconds())
        .isEqualTo(37);
    PreStopSpec bounded = autoSpec();
    bounded.setMaxSeconds(20);
    assertThat(
            PreStopTuning.decide(policy(bounded), List.of(record(60_000, 0)), null)
                .recommendedSeconds())
        .isEqualTo(20);
    assertThat(PreStopTuning.decide(auto(), List.of(record(0, 0)), null).recommendedSeconds())
        .isEqualTo(1);
  }

  @Test
  void fixedModeShowsTheRecommendationButKeepsTheStatedDelay() {
    PreStopSpec fixed = autoSpec();
    fixed.setMode(PreStopMode.Fixed);
    var d = PreStopTuning.decide(policy(fixed), List.of(record(1000, 0)), 4);
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
  void smallMovesUpApplyOnlyWhenThreeRolloutsInARowAgreeAndSmallMovesDownNever() {
    PreStopPolicy s = auto();
    // 2 s in force; rollouts calling for 3 s (within the 1 s threshold)
    List<RolloutRecord> history = new ArrayList<>(List.of(record(1000, 0)));
    var first = PreStopTuning.decide(s, history, 2);
    assertThat(first.changed()).isFalse();
    history.add(record(1000, 0));
    assertThat(PreStopTuning.decide(s, history, 2).changed()).isFalse();
    history.add(record(1000, 0));
    var third = PreStopTuning.decide(s, history, 2);
    assertThat(third.changed()).isTrue();
    assertThat(third.inForceSeconds()).isEqualTo(3);
    var down = PreStopTuning.decide(s, List.of(record(0, 0), record(0, 0), record(0, 0)), 2);
    assertThat(down.recommendedSeconds()).isEqualTo(1);
    assertThat(down.changed()).isFalse();
  }

  private static Integer roll(List<RolloutRecord> history, Integer inForce, long removalP99Ms) {
    history.add(record(removalP99Ms, 0));
    if (history.size() > WINDOW) {
      history.remove(0);
    }
    return PreStopTuning.decide(auto(), history, inForce).inForceSeconds();
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
    RolloutRecord r = new RolloutRecord();
    r.setEndpointRemovalMs(new LatencyFigures(controlP99 / 2, controlP99, controlP99));
    r.setDataPlaneMs(new LatencyFigures(dataP99 / 2, dataP99, dataP99));
    return r;
  }
}
