package io.saferollout.lab.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The catalogue of things that happen to a Deployment in production, each run against the naive
 * workload and the same workload under SafeRollout: the seed article asks for exactly this test
 * ("randomly kill the pod during the test ... check if the responses contain 500 or 503").
 */
public enum Scenario {
    ROLLING_UPDATE("rolling-update", "image changes, one rolling update after another", 2, 0, RolloutKind.IMAGE_CHANGE),
    RESTART("restart", "kubectl rollout restart (restartedAt annotation)", 2, 0, RolloutKind.RESTART),
    SCALE_DOWN("scale-down", "scale down by one pod and back up", 2, 0, RolloutKind.SCALE_DOWN),
    POD_KILLS("pod-kills", "random pod deletions during steady traffic", 0, 4, RolloutKind.IMAGE_CHANGE),
    MIX("mix", "image change, restart and scale-down, with random pod kills in between", 3, 3,
            RolloutKind.IMAGE_CHANGE, RolloutKind.RESTART, RolloutKind.SCALE_DOWN);

    private final String id;
    private final String description;
    private final int defaultRollouts;
    private final int defaultKills;
    private final List<RolloutKind> rolloutKinds;

    Scenario(String id, String description, int defaultRollouts, int defaultKills, RolloutKind... kinds) {
        this.id = id;
        this.description = description;
        this.defaultRollouts = defaultRollouts;
        this.defaultKills = defaultKills;
        this.rolloutKinds = List.of(kinds);
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public int defaultRollouts() {
        return defaultRollouts;
    }

    public int defaultKills() {
        return defaultKills;
    }

    /** Rollouts and kills interleaved (rollout 1, kill 1, rollout 2, ...); rollouts cycle through the scenario's kinds. */
    public List<Step> steps(int rollouts, int kills) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < Math.max(rollouts, kills); i++) {
            if (i < rollouts) {
                steps.add(new Step.Rollout(rolloutKinds.get(i % rolloutKinds.size())));
            }
            if (i < kills) {
                steps.add(new Step.Kill());
            }
        }
        return steps;
    }

    public static Optional<Scenario> byId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst();
    }

    /** "rolling-update, restart, ..." for error messages and help. */
    public static String ids() {
        return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
