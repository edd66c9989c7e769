package io.saferollout.operator.rollout;

import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutRecord;
import io.saferollout.operator.validation.PreStopPolicy;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How long preStop should wait, from measured endpoint removal: removal p99 (control plane + data
 * plane) x factor + margin + the stated budgets, bounded by min/max. The value in force moves when
 * the recommendation differs from it by more than {@link #threshold}; a smaller move is made only
 * upwards, and only when {@link #CONSISTENT_ROLLOUTS} rollouts in a row each call for more. A small
 * move down is never made: noise that straddles a whole second would otherwise start rollouts of
 * its own back and forth, and a second too long costs one second per pod, while a second too short
 * costs requests.
 *
 * <p>Before anything is measured, Auto starts from {@link #startingSeconds}: the larger of
 * delaySeconds and the stated budgets + margin. delaySeconds alone would let a first rollout under
 * Auto be shorter than a path the user has told us about (a cloud load balancer taking 30 s to
 * deregister a target against the default 15 s). The factor multiplies only measurements: it covers
 * what a p99 over a few rollouts may not have seen, whereas a stated budget is already the user's
 * known worst case for its hop, so it is added as stated, measured or not.
 *
 * <p>A pure function of the spec and the rollout records.
 */
public final class PreStopTuning {
  /** Rollouts in a row whose own recommendation must lie on one side of the value in force. */
  static final int CONSISTENT_ROLLOUTS = 3;

  private PreStopTuning() {}

  /**
   * What to wait: {@code inForceSeconds} is the delay the policy should apply now (for Fixed the
   * stated delay), {@code recommendedSeconds} what the measurements say (before any: the {@link
   * #startingSeconds} when budgets are stated, else null, since the spec then says nothing the
   * stated delay does not), and {@code changed} whether inForce moved with this decision.
   */
  public record Decision(
      int inForceSeconds, Integer recommendedSeconds, boolean changed, String reason) {}

  /** The delay one rollout's measurements alone call for; empty when it measured nothing. */
  static Optional<Integer> recommendationFor(RolloutRecord r, PreStopPolicy s) {
    return removalP99Millis(r.getEndpointRemovalMs(), r.getDataPlaneMs()).map(ms -> size(ms, s));
  }

  /**
   * @param window the last rollout records, oldest first
   * @param previousInForce the delay Auto had in force before (null: none yet, i.e. {@link
   *     #startingSeconds})
   */
  public static Decision decide(
      PreStopPolicy s, List<RolloutRecord> window, Integer previousInForce) {
    Optional<Long> p99 =
        removalP99Millis(
            RemovalFigures.window(window.stream().map(RolloutRecord::getEndpointRemovalMs).toList())
                .orElse(null),
            RemovalFigures.window(window.stream().map(RolloutRecord::getDataPlaneMs).toList())
                .orElse(null));
    if (p99.isEmpty()) {
      return beforeAnyMeasurement(s, previousInForce);
    }
    int recommended = size(p99.get(), s);
    if (s.mode() == PreStopMode.Fixed) {
      return new Decision(
          s.delaySeconds(),
          recommended,
          false,
          "Fixed: "
              + s.delaySeconds()
              + " s; measured removal would call for "
              + recommended
              + " s");
    }
    int current = previousInForce == null ? startingSeconds(s) : previousInForce;
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

  /**
   * Auto's delay before any rollout is measured: max(delaySeconds, budgets + margin), within
   * min..max. Stated budgets are a floor no guess may undercut; delaySeconds stands in for the
   * control-plane and kube-proxy legs nobody has measured yet.
   */
  public static int startingSeconds(PreStopPolicy s) {
    return bounded(
        Math.max(s.delaySeconds(), wholeSeconds(s.budgetSeconds() + s.marginSeconds())), s);
  }

  /**
   * With nothing measured, Auto holds at least its starting value. A value already in force (from
   * measurements whose rollouts have since left the window, or from smaller budgets) is kept when
   * longer: lowering a delay on no evidence would trade requests for seconds; the next measurement
   * brings it down.
   */
  private static Decision beforeAnyMeasurement(PreStopPolicy s, Integer previousInForce) {
    int start = startingSeconds(s);
    Integer recommended = s.budgets().isEmpty() ? null : start;
    String origin = origin(s, start);
    if (s.mode() == PreStopMode.Fixed) {
      return new Decision(
          s.delaySeconds(),
          recommended,
          false,
          "Fixed: "
              + s.delaySeconds()
              + " s; no rollout measured yet"
              + (recommended == null ? "" : ", " + origin + " call for " + start + " s"));
    }
    if (previousInForce == null || previousInForce == start) {
      return new Decision(
          start,
          recommended,
          false,
          "Auto: no rollout measured yet, " + start + " s in force (" + origin + ")");
    }
    if (previousInForce > start) {
      return new Decision(
          previousInForce,
          recommended,
          false,
          "Auto: no rollout measured in the window, keeping "
              + previousInForce
              + " s until one is ("
              + origin
              + " would start at "
              + start
              + " s)");
    }
    return new Decision(
        start,
        recommended,
        true,
        "Auto: "
            + previousInForce
            + " s -> "
            + start
            + " s, no rollout measured yet ("
            + origin
            + ")");
  }

  /** Where the starting value comes from, in the words of the spec. */
  private static String origin(PreStopPolicy s, int start) {
    int fromBudgets = wholeSeconds(s.budgetSeconds() + s.marginSeconds());
    String stated =
        "stated budgets "
            + s.budgets().stream()
                .map(b -> b.getName() + " " + formatSeconds(b.getSeconds()) + " s")
                .collect(Collectors.joining(" + "))
            + " + margin "
            + s.marginSeconds()
            + " s";
    String basis =
        s.budgets().isEmpty()
            ? "delaySeconds"
            : fromBudgets > s.delaySeconds()
                ? stated
                : "delaySeconds, no shorter than the " + stated;
    return start == Math.max(s.delaySeconds(), fromBudgets)
        ? basis
        : basis + ", bounded by minSeconds/maxSeconds";
  }

  private static String formatSeconds(double seconds) {
    return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
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
    return bounded(
        wholeSeconds(
            removalP99Millis / 1000.0 * s.factor() + s.marginSeconds() + s.budgetSeconds()),
        s);
  }

  private static int wholeSeconds(double seconds) {
    return (int) Math.ceil(seconds - 1e-9);
  }

  private static int bounded(int seconds, PreStopPolicy s) {
    return Math.max(s.minSeconds(), Math.min(s.maxSeconds(), seconds));
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
