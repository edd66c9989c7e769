package io.saferollout.operator.rollout;

import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutRecord;
import io.saferollout.operator.validation.PreStopPolicy;
import java.util.List;
import java.util.Optional;

/**
 * How long preStop should wait, from measured endpoint removal: removal p99 (control plane + data
 * plane) x factor + margin + the stated budgets, bounded by min/max. The value in force moves when
 * the recommendation differs from it by more than {@link #threshold}; a smaller move is made only
 * upwards, and only when {@link #CONSISTENT_ROLLOUTS} rollouts in a row each call for more. A small
 * move down is never made: noise that straddles a whole second would otherwise start rollouts of
 * its own back and forth, and a second too long costs one second per pod, while a second too short
 * costs requests. A pure function of the spec and the rollout records.
 */
public final class PreStopTuning {
  /** Rollouts in a row whose own recommendation must lie on one side of the value in force. */
  static final int CONSISTENT_ROLLOUTS = 3;

  private PreStopTuning() {}

  /**
   * What to wait: {@code inForceSeconds} is the delay the policy should apply now (for Fixed the
   * stated delay), {@code recommendedSeconds} what the measurements say (null before any), and
   * {@code changed} whether inForce moved with this decision.
   */
  public record Decision(
      int inForceSeconds, Integer recommendedSeconds, boolean changed, String reason) {}

  /** The delay one rollout's measurements alone call for; empty when it measured nothing. */
  static Optional<Integer> recommendationFor(RolloutRecord r, PreStopPolicy s) {
    return removalP99Millis(r.getEndpointRemovalMs(), r.getDataPlaneMs()).map(ms -> size(ms, s));
  }

  /**
   * @param window the last rollout records, oldest first
   * @param previousInForce the delay Auto had in force before (null: none yet, i.e. delaySeconds)
   */
  public static Decision decide(
      PreStopPolicy s, List<RolloutRecord> window, Integer previousInForce) {
    Optional<Long> p99 =
        removalP99Millis(
            RemovalFigures.window(window.stream().map(RolloutRecord::getEndpointRemovalMs).toList())
                .orElse(null),
            RemovalFigures.window(window.stream().map(RolloutRecord::getDataPlaneMs).toList())
                .orElse(null));
    Integer recommended = p99.map(ms -> size(ms, s)).orElse(null);
    if (s.mode() == PreStopMode.Fixed) {
      return new Decision(
          s.delaySeconds(),
          recommended,
          false,
          recommended == null
              ? "Fixed: " + s.delaySeconds() + " s; no rollout measured yet"
              : "Fixed: "
                  + s.delaySeconds()
                  + " s; measured removal would call for "
                  + recommended
                  + " s");
    }
    int current = previousInForce == null ? s.delaySeconds() : previousInForce;
    if (recommended == null) {
      return new Decision(
          current, null, false, "Auto: no rollout measured yet, " + current + " s in force");
    }
    if (recommended == current) {
      return new Decision(
          current, recommended, false, "Auto: " + current + " s matches the measurements");
    }
    if (Math.abs(recommended - current) > threshold(current)) {
      return new Decision(
          recommended,
          recommended,
          true,
          "Auto: "
              + current
              + " s -> "
              + recommended
              + " s, the measurements moved by more than "
              + threshold(current)
              + " s");
    }
    if (recommended > current && consistentlyAbove(window, s, current)) {
      return new Decision(
          recommended,
          recommended,
          true,
          "Auto: "
              + current
              + " s -> "
              + recommended
              + " s, "
              + CONSISTENT_ROLLOUTS
              + " rollouts in a row each called for more");
    }
    return new Decision(
        current,
        recommended,
        false,
        "Auto: keeping "
            + current
            + " s; "
            + recommended
            + " s is within "
            + threshold(current)
            + " s of it (hysteresis)");
  }

  /** A move smaller than this (1 s, or 10 % of a longer delay) is noise unless it persists. */
  static int threshold(int current) {
    return Math.max(1, (int) Math.ceil(current * 0.10));
  }

  private static boolean consistentlyAbove(
      List<RolloutRecord> window, PreStopPolicy s, int current) {
    if (window.size() < CONSISTENT_ROLLOUTS) {
      return false;
    }
    List<Integer> last =
        window.subList(window.size() - CONSISTENT_ROLLOUTS, window.size()).stream()
            .map(r -> recommendationFor(r, s).orElse(null))
            .toList();
    if (last.contains(null)) {
      return false;
    }
    return last.stream().allMatch(v -> v > current);
  }

  private static int size(long removalP99Millis, PreStopPolicy s) {
    double seconds = removalP99Millis / 1000.0 * s.factor() + s.marginSeconds() + s.budgetSeconds();
    int whole = (int) Math.ceil(seconds - 1e-9);
    return Math.max(s.minSeconds(), Math.min(s.maxSeconds(), whole));
  }

  private static Optional<Long> removalP99Millis(
      LatencyFigures controlPlane, LatencyFigures dataPlane) {
    if (controlPlane == null || controlPlane.getP99() == null) {
      return Optional.empty();
    }
    long data = dataPlane == null || dataPlane.getP99() == null ? 0 : dataPlane.getP99();
    return Optional.of(controlPlane.getP99() + data);
  }
}
