package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.load.FailureClass;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The product's proof, end to end in the lab's default shape (three kube-proxy nodes forwarding
 * connections, kube-proxy's own propagation, half the clients on keep-alive connections) with a
 * graceful app in both runs, as the demo runs it: the naive Deployment loses requests when it rolls
 * and when pods are killed; the same Deployment under a SafeRollout with its defaults (nothing
 * tuned to the lab) loses none after its adoption rollout, which is measured on its own.
 *
 * <p>Why the hardened run cannot lose a request on a slow machine: a terminating pod leaves the
 * ready endpoints at once and the SafeRollout's default preStop (15 s) keeps it serving while every
 * node applies that (kube-proxy's profile: up to one 1 s min-sync plus a log-normal apply time
 * whose p99.9 is about 2.4 s); the graceful app then answers its keep-alive clients with {@code
 * Connection: close}, closes idle connections and finishes what is in flight; new pods get traffic
 * only after their readiness probe passes, which the app's health path allows only after warm-up.
 * At 100 requests per second of 5-20 ms each, about 2 are in flight; the generator counts
 * "overload" only past 1,000 in flight.
 */
@Timeout(300)
@io.saferollout.WallClockTest
class RolloutLabTest {

  private static final double RATE = 100;
  private static final long SEED = 42;

  /**
   * What a node's kube-proxy makes of a pod that stopped accepting: the client's connection reset
   * or refused.
   */
  private static final Set<String> OLD_POD_GONE =
      Set.of(
          FailureClass.RESET,
          FailureClass.RESET_ON_REUSED_CONNECTION,
          FailureClass.CONNECT_REFUSED,
          "502");

  @Test
  void naiveDeploymentLosesRequestsDuringRollingUpdate() throws Exception {
    // A 3 s warm-up outlasts kube-proxy's propagation (p99.9 about 2.4 s after a 1 s min-sync
    // wait at most), so every node routes to each new pod while it still answers 500.
    RunOutcome outcome =
        run(
            Scenario.ROLLING_UPDATE,
            1,
            0,
            Arm.naive(ShutdownStyle.GRACEFUL),
            11,
            LabWorkload.articleDefaults().withWarmup(Duration.ofSeconds(3)));

    RunResult r = outcome.result();
    assertThat(r.rollouts()).isEqualTo(1);
    assertThat(r.adoption()).as("a naive run has no adoption").isNull();
    // New pods have no readiness probe: they get traffic while warming up and answer 500.
    assertThat(r.failuresByClass()).containsKey("500");
    // Old pods stop accepting at SIGTERM, which comes at once (no preStop), while nodes still route
    // to them.
    assertThat(r.failuresByClass().keySet()).containsAnyElementsOf(OLD_POD_GONE);
    assertThat(r.failuresByClass()).doesNotContainKey(FailureClass.OVERLOAD);
    assertThat(r.latencyMs().p50()).isPositive();
    assertThat(r.latencyMs().max()).isGreaterThanOrEqualTo(r.latencyMs().p99());
  }

  @Test
  void naiveDeploymentLosesRequestsUnderRandomPodKills() throws Exception {
    RunOutcome outcome =
        run(
            Scenario.POD_KILLS,
            0,
            3,
            Arm.naive(ShutdownStyle.GRACEFUL),
            12,
            LabWorkload.articleDefaults());

    RunResult r = outcome.result();
    assertThat(r.kills()).isEqualTo(3);
    assertThat(r.failed()).isPositive();
    assertThat(r.failuresByClass().keySet()).containsAnyElementsOf(OLD_POD_GONE);
  }

  /**
   * Traffic flows before the SafeRollout exists: the adoption rollout is measured (its losses are
   * reported, whatever they are; a live pod cannot be given a preStop hook), then a rolling update
   * and two kills lose nothing.
   */
  @Test
  void hardenedDeploymentLosesNoneAfterAdoptionThroughRollingUpdateAndKills() throws Exception {
    RunOutcome outcome =
        run(
            Scenario.MIX,
            1,
            2,
            Arm.hardened(ShutdownStyle.GRACEFUL),
            13,
            LabWorkload.articleDefaults());

    RunResult r = outcome.result();
    RunResult.Adoption adoption = r.adoption();
    assertThat(adoption).as("the adoption rollout is reported").isNotNull();
    assertThat(adoption.rolloutSeconds())
        .as("the operator replaced every pod while traffic flowed")
        .isGreaterThan(5);
    // 100 requests/s for at least the lead-in (2 s) and the rollout; the margin allows a slow
    // start.
    assertThat(adoption.requests()).isGreaterThan((long) (RATE * adoption.rolloutSeconds() / 2));
    assertThat(adoption.failed())
        .isEqualTo(adoption.failuresByClass().values().stream().mapToLong(Long::longValue).sum());
    assertThat(adoption.failed() + r.failed())
        .as("adoption and the rest add up to the load report")
        .isEqualTo(outcome.load().failed());

    assertThat(r.rollouts()).isEqualTo(1);
    assertThat(r.kills()).isEqualTo(2);
    assertThat(r.requests()).as("traffic flowed for the whole measured part").isGreaterThan(1_000);
    assertThat(r.failuresByClass()).isEmpty();
    assertThat(r.failed()).isZero();
  }

  private static RunOutcome run(
      Scenario scenario, int rollouts, int kills, Arm arm, int podNetwork, LabWorkload workload)
      throws InterruptedException {
    try (Lab lab = Lab.start(LabSettings.defaults().withSeed(SEED).withPodNetwork(podNetwork))) {
      ScenarioPlan plan = ScenarioPlan.of(scenario, RATE, SEED).withCounts(rollouts, kills);
      return new ScenarioRun(lab, workload, plan, arm).execute();
    }
  }
}
