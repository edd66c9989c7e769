package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.load.ClientMix;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proof can fail: with a preStop delay shorter than the nodes' propagation, the hardened run
 * loses requests, as many as the physics says, and so does the naive run. See {@link
 * RoutedAfterStop} for the formula:
 *
 * <pre>
 *   expected = R/P * (mean over nodes of the time the dying pod stays routed after SIGTERM), summed over kills
 * </pre>
 *
 * for R requests per second over P replicas. The routed times come from the run's own records (each
 * node's applied endpoint sets, each pod's SIGTERM event), never from the profile's constants.
 *
 * <p>Set-up that makes the formula exact but for chance: every node takes each endpoint change
 * after a uniform 1.5-3.5 s (seeded per node), so a 0, 1 or 2 s preStop is below the largest
 * propagation; clients open a new connection per request, so each request is routed on its own
 * (keep-alive pinning is {@link KeepAliveLabTest}'s subject); the app has no warm-up and stops
 * accepting at SIGTERM (graceful), so the dying pod is the only source of failures.
 *
 * <p>Tolerance ±30 %: each routed request picks the dying pod with probability 1/P, so the count is
 * binomial; with the smallest expectation here (about 60, at 2 s preStop) one standard deviation is
 * about 13 % of it. The rest of the margin covers what the formula leaves out: the few milliseconds
 * between the kubelet's SIGTERM event and the listener closing, and requests in flight at the edges
 * of the window on a loaded machine.
 */
@Timeout(300)
@io.saferollout.WallClockTest
class NegativeControlLabTest {

  private static final Logger LOG = LoggerFactory.getLogger(NegativeControlLabTest.class);
  private static final double RATE = 150;
  private static final int REPLICAS = 3;
  private static final int KILLS = 3;
  private static final long SEED = 7;
  private static final double TOLERANCE = 0.30;

  @ParameterizedTest(name = "preStop {0} s")
  @ValueSource(ints = {0, 1, 2})
  void hardenedRunWithAPreStopBelowThePropagationLosesWhatThePhysicsSays(int preStopSeconds)
      throws Exception {
    RunOutcome outcome =
        run(
            Arm.hardened(ShutdownStyle.GRACEFUL),
            workload().withPreStopSeconds(preStopSeconds),
            30 + preStopSeconds);

    assertMatchesPhysics(outcome, "hardened, preStop " + preStopSeconds + " s");
  }

  @Test
  void naiveRunLosesWhatThePhysicsSays() throws Exception {
    assertMatchesPhysics(run(Arm.naive(ShutdownStyle.GRACEFUL), workload(), 34), "naive");
  }

  private static void assertMatchesPhysics(RunOutcome outcome, String what) {
    List<RoutedAfterStop.Exposure> exposures = RoutedAfterStop.of(outcome);
    double expected =
        RoutedAfterStop.expectedLosses(exposures, RATE, outcome.nodes().size(), REPLICAS);
    long lost = outcome.result().failed();
    LOG.info(
        "{}: lost {} of {}, physics {} (failures {}, exposures {})",
        what,
        lost,
        outcome.result().requests(),
        Math.round(expected),
        outcome.result().failuresByClass(),
        exposures);

    assertThat(exposures)
        .as("every killed pod, on every node")
        .hasSize(KILLS * outcome.nodes().size());
    // Enough expected losses for the tolerance to mean something (see the class comment).
    assertThat(expected).as("expected losses").isGreaterThan(30);
    assertThat((double) lost)
        .as(what + ": lost requests against R/P x routed time")
        .isCloseTo(expected, within(TOLERANCE * expected));
  }

  private static LabWorkload workload() {
    return LabWorkload.articleDefaults().withWarmup(Duration.ZERO).withReplicas(REPLICAS);
  }

  private static RunOutcome run(Arm arm, LabWorkload workload, int podNetwork)
      throws InterruptedException {
    LabSettings settings =
        LabSettings.defaults()
            .withSeed(SEED)
            .withPodNetwork(podNetwork)
            .withPropagation(Duration.ofMillis(1_500), Duration.ofMillis(3_500));
    // 4 s pauses and tail: each kill's last node has applied it (3.5 s at most) before the next
    // kill and before the traffic stops, so every window is counted whole.
    ScenarioPlan plan =
        ScenarioPlan.of(Scenario.POD_KILLS, RATE, SEED)
            .withCounts(0, KILLS)
            .withClientMix(ClientMix.newConnectionPerRequest())
            .withPauseBetweenSteps(Duration.ofSeconds(5))
            .withTail(Duration.ofSeconds(5));
    try (Lab lab = Lab.start(settings)) {
      return new ScenarioRun(lab, workload, plan, arm).execute();
    }
  }
}
