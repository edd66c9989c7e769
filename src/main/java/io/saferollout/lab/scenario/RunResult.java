package io.saferollout.lab.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopTuningStatus;
import io.saferollout.api.RemovalEvidence;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.load.LatencySummary;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run measured: the figures of {@code saferollout demo --json}, whose field names are
 * published and never change. {@code requests}, {@code failed} and {@code failuresByClass} count
 * the measured part only (after adoption); the adoption rollout's own figures are in {@code
 * adoption}.
 *
 * @param app the app's shutdown style (immediate, graceful, ignore)
 * @param control a run shown to make a point (an app the operator cannot fix), not judged
 * @param requests every request that was due (see {@link io.saferollout.load.LoadReport})
 * @param failuresByClass failure counts by {@link io.saferollout.load.FailureClass} name
 * @param rolloutSeconds how long each rollout took to complete, in order
 * @param latencyMs latency of every request of the run, from its intended send time
 * @param adoption the operator's first change to the live Deployment; {@code null} for a naive run
 * @param removal what the operator measured of endpoint removal and the preStop it carries when the
 *     run ends; {@code null} for a naive run. Its fields ({@code endpointRemovalMs}, {@code
 *     dataPlaneMs}, {@code preStopSeconds}, {@code recommendedPreStopSeconds}) are published at the
 *     run's level, next to {@code failed}: one object per run, whose hardened runs carry four more
 *     figures.
 */
@JsonPropertyOrder({
  "scenario",
  "hardened",
  "app",
  "control",
  "requests",
  "failed",
  "failuresByClass",
  "rollouts",
  "kills",
  "rolloutSeconds",
  "latencyMs",
  "adoption",
  "endpointRemovalMs",
  "dataPlaneMs",
  "preStopSeconds",
  "recommendedPreStopSeconds"
})
public record RunResult(
    String scenario,
    boolean hardened,
    String app,
    boolean control,
    long requests,
    long failed,
    Map<String, Long> failuresByClass,
    int rollouts,
    int kills,
    List<Double> rolloutSeconds,
    Latency latencyMs,
    @JsonInclude(JsonInclude.Include.NON_NULL) Adoption adoption,
    @JsonUnwrapped Removal removal) {

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
  public record Adoption(
      long requests, long failed, Map<String, Long> failuresByClass, double rolloutSeconds) {
    public Adoption {
      failuresByClass = Collections.unmodifiableMap(new TreeMap<>(failuresByClass));
    }
  }

  /**
   * Endpoint removal as the operator measured it (milliseconds from a pod's deletion to its removal
   * from the EndpointSlices, then to the nodes' data plane applying it), the preStop delay the
   * Deployment's pod template carries when the run ends (what new pods get) and the delay the
   * measurements recommend. A figure the operator has not measured (no rollout recorded yet, no
   * data-plane source) is left out rather than shown as zero.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "endpointRemovalMs",
    "dataPlaneMs",
    "preStopSeconds",
    "recommendedPreStopSeconds"
  })
  public record Removal(
      Latency endpointRemovalMs,
      Latency dataPlaneMs,
      Integer preStopSeconds,
      Integer recommendedPreStopSeconds) {

    /**
     * Reads the figures from a SafeRollout's status: the tuning window's evidence, which spans the
     * run's last rollouts, where it has a figure, else the last rollout record's.
     *
     * @param status the SafeRollout's status when the run ends; {@code null} if it has none yet
     * @param templatePreStopSeconds the preStop delay in the Deployment's pod template, {@code
     *     null} if none
     */
    public static Removal of(SafeRolloutStatus status, Integer templatePreStopSeconds) {
      PreStopTuningStatus tuning = status == null ? null : status.getPreStopTuning();
      RemovalEvidence window = tuning == null ? null : tuning.getEvidence();
      List<RolloutRecord> records =
          status == null || status.getRollouts() == null ? List.of() : status.getRollouts();
      RolloutRecord last = records.isEmpty() ? null : records.get(records.size() - 1);
      Latency controlPlane =
          firstOf(
              window == null ? null : window.getEndpointRemovalMs(),
              last == null ? null : last.getEndpointRemovalMs());
      Latency dataPlane =
          firstOf(
              window == null ? null : window.getDataPlaneMs(),
              last == null ? null : last.getDataPlaneMs());
      return new Removal(
          controlPlane,
          dataPlane,
          templatePreStopSeconds,
          tuning == null ? null : tuning.getRecommendedSeconds());
    }

    private static Latency firstOf(LatencyFigures preferred, LatencyFigures fallback) {
      Latency l = complete(preferred);
      return l != null ? l : complete(fallback);
    }

    /** Figures with a part missing are not figures: shown whole or not at all. */
    private static Latency complete(LatencyFigures f) {
      if (f == null || f.getP50() == null || f.getP99() == null || f.getMax() == null) {
        return null;
      }
      return new Latency(f.getP50(), f.getP99(), f.getMax());
    }
  }
}
