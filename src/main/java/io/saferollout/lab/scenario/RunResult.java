package io.saferollout.lab.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.saferollout.load.LatencySummary;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run measured: the figures of {@code saferollout demo --json}, whose field names are
 * published and never change. {@code requests}, {@code failed} and {@code failuresByClass} count
 * the measured part only (after adoption); the adoption rollout's own figures are in {@code adoption}.
 *
 * @param app the app's shutdown style (immediate, graceful, ignore)
 * @param control a run shown to make a point (an app the operator cannot fix), not judged
 * @param requests every request that was due (see {@link io.saferollout.load.LoadReport})
 * @param failuresByClass failure counts by {@link io.saferollout.load.FailureClass} name
 * @param rolloutSeconds how long each rollout took to complete, in order
 * @param latencyMs latency of every request of the run, from its intended send time
 * @param adoption the operator's first change to the live Deployment; {@code null} for a naive run
 */
@JsonPropertyOrder({"scenario", "hardened", "app", "control", "requests", "failed", "failuresByClass", "rollouts", "kills",
    "rolloutSeconds", "latencyMs", "adoption"})
public record RunResult(String scenario, boolean hardened, String app, boolean control, long requests, long failed,
        Map<String, Long> failuresByClass, int rollouts, int kills, List<Double> rolloutSeconds, Latency latencyMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) Adoption adoption) {

    public RunResult {
        failuresByClass = Collections.unmodifiableMap(new TreeMap<>(failuresByClass));
        rolloutSeconds = List.copyOf(rolloutSeconds);
    }

    /** Latency percentiles in milliseconds. */
    @JsonPropertyOrder({"p50", "p99", "max"})
    public record Latency(double p50, double p99, double max) {
        public static Latency of(LatencySummary summary) {
            return new Latency(summary.p50Ms(), summary.p99Ms(), summary.maxMs());
        }
    }

    /**
     * The adoption rollout, measured like any other: traffic flows from before the SafeRollout is
     * created until the rollout it causes is complete. Pods created without a preStop hook cannot be
     * given one, so a live naive Deployment's adoption can lose requests whatever the operator does.
     */
    @JsonPropertyOrder({"requests", "failed", "failuresByClass", "rolloutSeconds"})
    public record Adoption(long requests, long failed, Map<String, Long> failuresByClass, double rolloutSeconds) {
        public Adoption {
            failuresByClass = Collections.unmodifiableMap(new TreeMap<>(failuresByClass));
        }
    }
}
