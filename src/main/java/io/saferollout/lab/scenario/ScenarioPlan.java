package io.saferollout.lab.scenario;

import java.time.Duration;

/**
 * What one run does.
 *
 * @param ratePerSecond the constant request rate across all the Service's nodes
 * @param leadIn steady traffic before the first step, so every proxy connection is warm
 * @param pauseBetweenSteps the longest pause between two steps (each pause is a seeded draw from half of this to this)
 * @param tail traffic after the last step; must outlast the largest propagation delay plus the
 *     preStop delay, so failures caused by the last step are still counted
 * @param stepTimeout how long one step may take to complete before the run fails
 */
public record ScenarioPlan(Scenario scenario, int rollouts, int kills, double ratePerSecond, long seed,
        Duration leadIn, Duration pauseBetweenSteps, Duration tail, Duration stepTimeout) {

    public ScenarioPlan {
        if (scenario == null) {
            throw new IllegalArgumentException("a scenario is required");
        }
        if (rollouts < 0 || kills < 0 || rollouts + kills == 0) {
            throw new IllegalArgumentException("a run needs at least one rollout or kill, got "
                    + rollouts + " rollouts and " + kills + " kills");
        }
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of requests per second, got " + ratePerSecond);
        }
    }

    /**
     * The scenario's own counts; 1 s lead-in; pauses of 1.5 to 3 s, so every node has applied one
     * step's endpoint changes (1.5 s at most) before the next step starts and each step's losses
     * are its own; 5 s tail (1.5 s propagation + 3 s preStop + margin).
     */
    public static ScenarioPlan of(Scenario scenario, double ratePerSecond, long seed) {
        return new ScenarioPlan(scenario, scenario.defaultRollouts(), scenario.defaultKills(), ratePerSecond, seed,
                Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(90));
    }

    public ScenarioPlan withCounts(int rollouts, int kills) {
        return new ScenarioPlan(scenario, rollouts, kills, ratePerSecond, seed, leadIn, pauseBetweenSteps, tail, stepTimeout);
    }

    public ScenarioPlan withTail(Duration tail) {
        return new ScenarioPlan(scenario, rollouts, kills, ratePerSecond, seed, leadIn, pauseBetweenSteps, tail, stepTimeout);
    }
}
