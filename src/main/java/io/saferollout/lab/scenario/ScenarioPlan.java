package io.saferollout.lab.scenario;

import io.saferollout.load.ClientMix;
import java.time.Duration;
import java.util.Objects;

/**
 * What one run does.
 *
 * @param ratePerSecond the constant request rate across all the Service's nodes
 * @param leadIn steady traffic before the first step (and, for a hardened run, before the
 *     SafeRollout is created), so every proxy connection is warm
 * @param pauseBetweenSteps the longest pause between two steps (each pause is a seeded draw from
 *     half of this to this)
 * @param tail traffic after the last step; each step already waits until no pod is terminating, so
 *     the tail only has to outlast the slowest node applying the last change
 * @param stepTimeout how long one step may take to complete before the run fails
 * @param clientMix how the load generator's clients use connections
 */
public record ScenarioPlan(
    Scenario scenario,
    int rollouts,
    int kills,
    double ratePerSecond,
    long seed,
    Duration leadIn,
    Duration pauseBetweenSteps,
    Duration tail,
    Duration stepTimeout,
    ClientMix clientMix) {

  public ScenarioPlan {
    if (scenario == null) {
      throw new IllegalArgumentException("a scenario is required");
    }
    if (rollouts < 0 || kills < 0 || rollouts + kills == 0) {
      throw new IllegalArgumentException(
          "a run needs at least one rollout or kill, got "
              + rollouts
              + " rollouts and "
              + kills
              + " kills");
    }
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be a positive number of requests per second, got " + ratePerSecond);
    }
    Objects.requireNonNull(clientMix, "clientMix");
  }

  /**
   * The scenario's own counts and clients; 2 s lead-in; pauses of 1.5 to 3 s between steps; 5 s
   * tail (kube-proxy's default profile applies a change within its 1 s min-sync plus a log-normal
   * apply time whose p99.9 is about 2.4 s). Step timeout 120 s: a hardened rollout waits out the
   * SafeRollout's default preStop for every old pod.
   */
  public static ScenarioPlan of(Scenario scenario, double ratePerSecond, long seed) {
    return new ScenarioPlan(
        scenario,
        scenario.defaultRollouts(),
        scenario.defaultKills(),
        ratePerSecond,
        seed,
        Duration.ofSeconds(2),
        Duration.ofSeconds(3),
        Duration.ofSeconds(5),
        Duration.ofSeconds(120),
        scenario.clientMix());
  }

  public ScenarioPlan withCounts(int rollouts, int kills) {
    return new ScenarioPlan(
        scenario,
        rollouts,
        kills,
        ratePerSecond,
        seed,
        leadIn,
        pauseBetweenSteps,
        tail,
        stepTimeout,
        clientMix);
  }

  public ScenarioPlan withTail(Duration tail) {
    return new ScenarioPlan(
        scenario,
        rollouts,
        kills,
        ratePerSecond,
        seed,
        leadIn,
        pauseBetweenSteps,
        tail,
        stepTimeout,
        clientMix);
  }

  public ScenarioPlan withClientMix(ClientMix mix) {
    return new ScenarioPlan(
        scenario,
        rollouts,
        kills,
        ratePerSecond,
        seed,
        leadIn,
        pauseBetweenSteps,
        tail,
        stepTimeout,
        mix);
  }

  public ScenarioPlan withPauseBetweenSteps(Duration pause) {
    return new ScenarioPlan(
        scenario,
        rollouts,
        kills,
        ratePerSecond,
        seed,
        leadIn,
        pause,
        tail,
        stepTimeout,
        clientMix);
  }
}
