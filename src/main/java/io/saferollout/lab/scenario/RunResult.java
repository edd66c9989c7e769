package io.saferollout.lab.scenario;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run measured: the figures of {@code saferollout demo --json}, whose field names are
 * published and never change.
 *
 * @param requests every request that was due (see {@link io.saferollout.load.LoadReport})
 * @param failuresByClass failure counts by {@link io.saferollout.load.FailureClass} name
 * @param rolloutSeconds how long each rollout took to complete, in order
 */
@JsonPropertyOrder({"scenario", "hardened", "requests", "failed", "failuresByClass", "rollouts", "kills", "rolloutSeconds"})
public record RunResult(String scenario, boolean hardened, long requests, long failed, Map<String, Long> failuresByClass,
        int rollouts, int kills, List<Double> rolloutSeconds) {

    public RunResult {
        failuresByClass = Collections.unmodifiableMap(new TreeMap<>(failuresByClass));
        rolloutSeconds = List.copyOf(rolloutSeconds);
    }
}
