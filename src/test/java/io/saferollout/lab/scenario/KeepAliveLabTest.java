package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.load.ClientMix;
import io.saferollout.load.FailureClass;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator cannot fix, shown so it can never be mistaken for a pass: kube-proxy balances
 * per connection and keeps established connections on a pod after its endpoint is removed
 * (https://kubernetes.io/docs/reference/networking/virtual-ips/), so keep-alive clients keep
 * sending to a pod through any preStop delay, until the app closes their connections; and a cloud
 * load balancer that deregisters targets more slowly than the preStop delay keeps sending new
 * connections after SIGTERM.
 */
@Timeout(400)
@io.saferollout.WallClockTest
class KeepAliveLabTest {

  private static final Logger LOG = LoggerFactory.getLogger(KeepAliveLabTest.class);
  private static final long SEED = 5;
  private static final Set<String> CONNECTION_CUT =
      Set.of(FailureClass.RESET, FailureClass.RESET_ON_REUSED_CONNECTION);

  /**
   * Same hardening (the SafeRollout's defaults, 15 s preStop), keep-alive clients only, requests of
   * 50-100 ms (the scenario's), one rolling update and one kill: the app that exits at once on
   * SIGTERM cuts its pinned connections and the requests in flight on them (at 300 requests/s,
   * about 7 per pod at any moment, so about 28 over the 4 pods that end here); the graceful app
   * answers with {@code Connection: close}, closes idle connections and finishes what is in flight:
   * nothing in flight is cut. Asserting "more than 5" for the first leaves room for a loaded
   * machine's slower pacing without ever passing on zero.
   *
   * <p>The graceful app also avoids the idle-close race of RFC 9112 section 9.6 (closing an idle
   * pooled connection just as the client writes on it, which the generator, never retrying, would
   * count as {@code reset-on-reused-connection}): it answers the next request on each connection
   * with {@code Connection: close} and closes only connections idle for a second.
   */
  @Test
  void keepAliveClientsLoseRequestsToAnAppThatExitsAtOnceAndNoneToAGracefulOne() throws Exception {
    // 300 requests/s so that each pod holds several pooled connections when SIGTERM comes.
    ScenarioPlan plan = ScenarioPlan.of(Scenario.KEEPALIVE, 300, SEED).withCounts(1, 1);
    List<RunOutcome> outcomes;
    try (Comparison comparison =
        new Comparison(
            LabSettings.defaults().withSeed(SEED).withPodNetwork(40),
            LabWorkload.articleDefaults(),
            plan)) {
      outcomes = comparison.execute();
    }
    RunResult immediate = outcomes.get(0).result();
    RunResult graceful = outcomes.get(1).result();
    LOG.info(
        "keep-alive, hardened: immediate app lost {} ({}), graceful app lost {} ({})",
        immediate.failed(),
        immediate.failuresByClass(),
        graceful.failed(),
        graceful.failuresByClass());

    assertThat(immediate.app()).isEqualTo("immediate");
    assertThat(immediate.control()).isTrue();
    assertThat(immediate.failed())
        .as("pinned connections cut at SIGTERM, whatever the preStop")
        .isGreaterThan(5);
    assertThat(immediate.failuresByClass().keySet()).isSubsetOf(CONNECTION_CUT);
    assertThat(graceful.app()).isEqualTo("graceful");
    assertThat(graceful.failed()).as("graceful app: %s", graceful.failuresByClass()).isZero();
  }

  /**
   * One node behind a cloud load balancer that deregisters a target 30 s after the change (the AWS
   * default deregistration delay): the SafeRollout's default 15 s preStop is not enough, and the
   * node keeps opening connections to the killed pod for about 15 s after SIGTERM. The loss follows
   * {@link RoutedAfterStop}'s formula within ±30 % (binomial spread about 8 % at ~170 expected; the
   * rest for the edges of the window on a loaded machine).
   */
  @Test
  void aCloudLoadBalancerDeregisteringIn30SecondsDefeatsA15SecondPreStop() throws Exception {
    LabSettings settings =
        LabSettings.defaults()
            .withSeed(SEED)
            .withPodNetwork(44)
            .withNetwork(
                LabSettings.Network.of(
                    List.of(
                        LabSettings.NodeNetwork.kubeProxy(),
                        LabSettings.NodeNetwork.kubeProxy(),
                        LabSettings.NodeNetwork.cloudLb())));
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    // The tail outlasts the load balancer's 30-35 s, so the whole window is counted.
    ScenarioPlan plan =
        ScenarioPlan.of(Scenario.POD_KILLS, 100, SEED)
            .withCounts(0, 1)
            .withClientMix(ClientMix.newConnectionPerRequest())
            .withTail(Duration.ofSeconds(25));
    RunOutcome outcome;
    try (Lab lab = Lab.start(settings)) {
      outcome =
          new ScenarioRun(lab, workload, plan, Arm.hardened(ShutdownStyle.GRACEFUL)).execute();
    }
    RunResult r = outcome.result();
    double expected =
        RoutedAfterStop.expectedLosses(RoutedAfterStop.of(outcome), 100, 3, workload.replicas());
    LOG.info(
        "cloud-lb 30 s vs preStop 15 s: adoption lost {} ({}), then lost {} ({}), physics {}",
        r.adoption().failed(),
        r.adoption().failuresByClass(),
        r.failed(),
        r.failuresByClass(),
        Math.round(expected));

    assertThat(workload.effectivePreStopSeconds()).isEqualTo(15);
    assertThat(r.adoption()).as("measured, whatever it lost").isNotNull();
    assertThat(expected).as("about 100/3 x 15 s / 3 nodes").isGreaterThan(100);
    assertThat((double) r.failed()).isCloseTo(expected, within(0.30 * expected));
  }
}
