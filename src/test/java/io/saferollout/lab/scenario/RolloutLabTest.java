package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.scenario.ScenarioRun.Hardening;
import io.saferollout.load.FailureClass;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The product's proof, end to end in the lab: the seed article's naive Deployment loses requests
 * when it rolls and when pods are killed; the same Deployment under SafeRollout loses none.
 *
 * <p>Why the hardened runs cannot lose a request on a slow machine: a terminating pod leaves the
 * ready endpoints at once and every proxy stops using it within 1.5 s (the lab's largest
 * propagation delay), while its preStop delay keeps it serving for 3 s, so 1.5 s of margin remain
 * for a slow informer or a GC pause; new pods get traffic only after their readiness probe passes,
 * which the app's health path allows only after warm-up. At 100 requests per second of 5-20 ms
 * each, about 2 are in flight; the generator counts "overload" only past 1,000 in flight, which
 * would need a 10 s stall of the whole machine, and then the request timeout (10 s) would end the
 * test anyway.
 */
@Timeout(180)
@io.saferollout.WallClockTest
class RolloutLabTest {

    private static final double RATE = 100;
    private static final long SEED = 42;

    @Test
    void naiveDeploymentLosesRequestsDuringRollingUpdate() throws Exception {
        // A 3 s warm-up outlasts the slowest node's 1.5 s propagation delay by 1.5 s, so every node
        // routes to each new pod while it still answers 500, however slow the control plane is.
        RunOutcome outcome = run(Scenario.ROLLING_UPDATE, 1, 0, Hardening.NONE, 11,
                LabWorkload.articleDefaults().withWarmup(Duration.ofSeconds(3)));

        RunResult r = outcome.result();
        assertThat(r.rollouts()).isEqualTo(1);
        assertThat(r.failed()).isPositive();
        // New pods have no readiness probe: they get traffic while warming up and answer 500.
        assertThat(r.failuresByClass()).containsKey("500");
        // Old pods exit at SIGTERM while the proxies still send them traffic: refused or reset, relayed as 502.
        assertThat(r.failuresByClass()).containsKey("502");
        assertThat(r.failuresByClass()).doesNotContainKey(FailureClass.OVERLOAD);
    }

    @Test
    void naiveDeploymentLosesRequestsUnderRandomPodKills() throws Exception {
        RunOutcome outcome = run(Scenario.POD_KILLS, 0, 3, Hardening.NONE, 12);

        RunResult r = outcome.result();
        assertThat(r.kills()).isEqualTo(3);
        assertThat(r.failed()).isPositive();
        assertThat(r.failuresByClass()).containsKey("502");
    }

    @Test
    void hardenedDeploymentLosesNoneDuringRollingUpdate() throws Exception {
        RunOutcome outcome = run(Scenario.ROLLING_UPDATE, 1, 0, Hardening.SAFEROLLOUT, 13);

        RunResult r = outcome.result();
        assertThat(r.rollouts()).isEqualTo(1);
        assertThat(r.requests()).as("traffic flowed for the whole rollout").isGreaterThan(500);
        assertThat(r.failuresByClass()).isEmpty();
        assertThat(r.failed()).isZero();
    }

    @Test
    void hardenedDeploymentLosesNoneUnderRandomPodKills() throws Exception {
        RunOutcome outcome = run(Scenario.POD_KILLS, 0, 3, Hardening.SAFEROLLOUT, 14);

        RunResult r = outcome.result();
        assertThat(r.kills()).isEqualTo(3);
        assertThat(r.requests()).isGreaterThan(500);
        assertThat(r.failuresByClass()).isEmpty();
        assertThat(r.failed()).isZero();
    }

    private static RunOutcome run(Scenario scenario, int rollouts, int kills, Hardening hardening, int podNetwork)
            throws InterruptedException {
        return run(scenario, rollouts, kills, hardening, podNetwork, LabWorkload.articleDefaults());
    }

    private static RunOutcome run(Scenario scenario, int rollouts, int kills, Hardening hardening, int podNetwork,
            LabWorkload workload) throws InterruptedException {
        try (Lab lab = Lab.start(LabSettings.defaults().withSeed(SEED).withPodNetwork(podNetwork))) {
            ScenarioPlan plan = ScenarioPlan.of(scenario, RATE, SEED).withCounts(rollouts, kills);
            return new ScenarioRun(lab, workload, plan, hardening).execute();
        }
    }
}
