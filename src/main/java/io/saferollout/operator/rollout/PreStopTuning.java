package io.saferollout.operator.rollout;

import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.DataPlaneVisibility;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutRecord;
import io.saferollout.operator.validation.PreStopPolicy;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How long preStop should wait, from measured endpoint removal: removal p99 (control plane + data
 * plane) x factor + margin + the stated budgets (+ the replacement's start and readiness where a
 * target can lose every ready endpoint, {@link EndpointTakeover}), bounded by min/max.
 *
 * <p>The value in force moves up at once: a running pod's preStop cannot change, so every removal
 * measured longer than the delay in force is requests lost until new pods carry more. It moves down
 * only by more than {@link #threshold}, and only on enough evidence ({@link #MIN_ROLLOUTS_TO_LOWER}
 * rollouts, {@link #MIN_SAMPLES_TO_LOWER} timed removals, none of them from pods without a preStop)
 * that includes the data plane: without data-plane evidence, Auto never goes below {@link
 * #startingSeconds}, since the control plane alone (tens of milliseconds) says nothing about how
 * long the nodes take.
 *
 * <p>Before anything is measured, Auto starts from {@link #startingSeconds}: the larger of
 * delaySeconds and the stated budgets + margin. delaySeconds alone would let a first rollout under
 * Auto be shorter than a path the user has told us about (a cloud load balancer taking 30 s to
 * deregister a target against the default 15 s). The factor multiplies only measurements: it covers
 * what a p99 over a few rollouts may not have seen, whereas a stated budget is already the user's
 * known worst case for its hop, so it is added as stated, measured or not.
 *
 * <p>A pure function of the spec, the rollout records and what the observer knows of the targets.
 */
public final class PreStopTuning {
  /**
   * Rollouts a move down rests on. One rollout's p99 is one draw; three agreeing draws survive one
   * quiet rollout (a scale-down of a few pods at night) and keep the window of {@link
   * RolloutObserver#HISTORY} able to lower at all.
   */
  static final int MIN_ROLLOUTS_TO_LOWER = 3;

  /**
   * Timed removals a move down rests on. The largest of n removals exceeds the true q-quantile with
   * probability 1 - q^n; with 20 that is 95 % for q = 0.86 (0.86^20 = 0.049). Fewer, and the
   * window's p99 is the max of a handful of pods, which says nothing of the tail the factor and
   * margin are meant to cover.
   */
  static final int MIN_SAMPLES_TO_LOWER = 20;

  private PreStopTuning() {}

  /**
   * What to wait: {@code inForceSeconds} is the delay the policy should apply now (for Fixed the
   * stated delay), {@code recommendedSeconds} what the measurements say (before any: the {@link
   * #startingSeconds} when budgets are stated, else null, since the spec then says nothing the
   * stated delay does not), and {@code changed} whether inForce moved with this decision.
   */
  public record Decision(
      int inForceSeconds, Integer recommendedSeconds, boolean changed, String reason) {}

  /**
   * What the observer knows beyond the records.
   *
   * @param previousInForce the delay Auto had in force before (null: none yet, i.e. {@link
   *     #startingSeconds})
   * @param dataPlane the last data-plane reading (null: not read yet)
   * @param takeover what the targets need for a replacement to take over (seconds 0: nothing)
   */
  public record Known(
      Integer previousInForce, DataPlaneVisibility dataPlane, EndpointTakeover.Need takeover) {
    static Known inForce(Integer previousInForce) {
      return new Known(previousInForce, null, EndpointTakeover.Need.NONE);
    }
  }

  /** The delay one rollout's measurements alone call for; empty when it measured nothing. */
  static Optional<Integer> recommendationFor(RolloutRecord r, PreStopPolicy s, int takeover) {
    return removalP99Millis(r.getEndpointRemovalMs(), r.getDataPlaneMs())
        .map(ms -> size(ms, s, takeover));
  }

  /**
   * @param window the last rollout records, oldest first
   */
  public static Decision decide(PreStopPolicy s, List<RolloutRecord> window, Known known) {
    int takeover = known.takeover().seconds();
    Optional<Long> p99 =
        removalP99Millis(
            RemovalFigures.window(window.stream().map(RolloutRecord::getEndpointRemovalMs).toList())
                .orElse(null),
            RemovalFigures.window(window.stream().map(RolloutRecord::getDataPlaneMs).toList())
                .orElse(null));
    if (p99.isEmpty()) {
      return beforeAnyMeasurement(s, known);
    }
    int recommended = size(p99.get(), s, takeover);
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
    int start = startingSeconds(s, takeover);
    int current = known.previousInForce() == null ? start : known.previousInForce();
    Optional<String> blind = withoutDataPlaneEvidence(s, window, known.dataPlane());
    int target = blind.isPresent() ? Math.max(recommended, start) : recommended;
    String floor =
        blind.map(why -> "; " + why + ", so Auto stays at or above " + start + " s").orElse("");
    if (target > current) {
      return new Decision(
          target,
          recommended,
          true,
          "Auto: "
              + current
              + " s -> "
              + target
              + (target > recommended
                  ? " s at once"
                  : " s at once (a longer removal than the delay in force loses requests)")
              + floor
              + takeoverNote(known.takeover()));
    }
    if (current - target <= threshold(current)) {
      return new Decision(
          current,
          recommended,
          false,
          (target == current
                  ? "Auto: " + current + " s matches the measurements"
                  : "Auto: keeping "
                      + current
                      + " s; "
                      + target
                      + " s is within "
                      + threshold(current)
                      + " s of it (hysteresis)")
              + floor
              + takeoverNote(known.takeover()));
    }
    Optional<String> thin = tooThinToLower(window);
    if (thin.isPresent()) {
      return new Decision(
          current,
          recommended,
          false,
          "Auto: keeping "
              + current
              + " s; the measurements call for "
              + target
              + " s, but "
              + thin.get()
              + floor
              + takeoverNote(known.takeover()));
    }
    return new Decision(
        target,
        recommended,
        true,
        "Auto: "
            + current
            + " s -> "
            + target
            + " s, "
            + lowering(window)
            + floor
            + takeoverNote(known.takeover()));
  }

  /**
   * Why the window cannot show the data plane to be fast, or empty when it can: the source is None,
   * the last reading failed, or a measured rollout lacks data-plane figures over every node.
   */
  static Optional<String> withoutDataPlaneEvidence(
      PreStopPolicy s, List<RolloutRecord> window, DataPlaneVisibility last) {
    if (s.dataPlaneSource() == DataPlaneSource.None) {
      return Optional.of("the data-plane source is None");
    }
    if (last == DataPlaneVisibility.Unreadable) {
      return Optional.of("the data plane cannot be read (condition DataPlaneMeasured)");
    }
    long without =
        measured(window).stream()
            .filter(
                r ->
                    r.getDataPlaneMs() == null
                        || r.getDataPlaneMs().getP99() == null
                        || (s.dataPlaneSource() == DataPlaneSource.KubeProxyMetrics
                            && !Integer.valueOf(0).equals(r.getDataPlaneNodesUnread())))
            .count();
    if (without > 0) {
      return Optional.of(without + " measured rollout(s) lack data-plane figures over every node");
    }
    return Optional.empty();
  }

  /** Why the window is too thin to move down on, or empty when it is enough. */
  static Optional<String> tooThinToLower(List<RolloutRecord> window) {
    List<RolloutRecord> evidence = lowerable(window);
    int samples = samples(evidence);
    if (evidence.size() < MIN_ROLLOUTS_TO_LOWER || samples < MIN_SAMPLES_TO_LOWER) {
      return Optional.of(
          "a move down needs "
              + MIN_ROLLOUTS_TO_LOWER
              + " measured rollouts of hardened pods and "
              + MIN_SAMPLES_TO_LOWER
              + " timed removals (have "
              + evidence.size()
              + " and "
              + samples
              + ")");
    }
    return Optional.empty();
  }

  private static String lowering(List<RolloutRecord> window) {
    List<RolloutRecord> evidence = lowerable(window);
    return evidence.size()
        + " measured rollouts with "
        + samples(evidence)
        + " timed removals call for less";
  }

  private static List<RolloutRecord> measured(List<RolloutRecord> window) {
    return window.stream().filter(r -> r.getEndpointRemovalMs() != null).toList();
  }

  /**
   * Measured rollouts whose old pods all carried a preStop: an adoption rollout replaces pods that
   * never had the hardening, and a record written before these counts existed says nothing either.
   */
  private static List<RolloutRecord> lowerable(List<RolloutRecord> window) {
    return measured(window).stream()
        .filter(r -> Integer.valueOf(0).equals(r.getPodsWithoutPreStop()))
        .toList();
  }

  private static int samples(List<RolloutRecord> records) {
    return records.stream()
        .mapToInt(r -> r.getPodsMeasured() == null ? 0 : r.getPodsMeasured())
        .sum();
  }

  private static String takeoverNote(EndpointTakeover.Need takeover) {
    return takeover.seconds() == 0 ? "" : "; " + takeover.why();
  }

  /**
   * Auto's delay before any rollout is measured: max(delaySeconds, budgets + margin), within
   * min..max. Stated budgets are a floor no guess may undercut; delaySeconds stands in for the
   * control-plane and kube-proxy legs nobody has measured yet.
   */
  public static int startingSeconds(PreStopPolicy s) {
    return startingSeconds(s, 0);
  }

  /**
   * The starting value with the replacement's start and readiness on top ({@link
   * EndpointTakeover}).
   */
  public static int startingSeconds(PreStopPolicy s, int takeover) {
    return bounded(
        Math.max(s.delaySeconds(), wholeSeconds(s.budgetSeconds() + s.marginSeconds())) + takeover,
        s);
  }

  /**
   * With nothing measured, Auto holds at least its starting value. A value already in force (from
   * measurements whose rollouts have since left the window, or from smaller budgets) is kept when
   * longer: lowering a delay on no evidence would trade requests for seconds; the next measurement
   * brings it down.
   */
  private static Decision beforeAnyMeasurement(PreStopPolicy s, Known known) {
    Integer previousInForce = known.previousInForce();
    int takeover = known.takeover().seconds();
    int start = startingSeconds(s, takeover);
    Integer recommended = s.budgets().isEmpty() && takeover == 0 ? null : start;
    String origin = origin(s, start, takeover) + takeoverNote(known.takeover());
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
  private static String origin(PreStopPolicy s, int start, int takeover) {
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
    return start == Math.max(s.delaySeconds(), fromBudgets) + takeover
        ? basis
        : basis + ", bounded by minSeconds/maxSeconds";
  }

  private static String formatSeconds(double seconds) {
    return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
  }

  /**
   * A move down by this much or less (1 s, or 10 % of a longer delay) is noise: following it would
   * start rollouts back and forth, and a second too long costs one second per pod.
   */
  static int threshold(int current) {
    return Math.max(1, (int) Math.ceil(current * 0.10));
  }

  private static int size(long removalP99Millis, PreStopPolicy s, int takeover) {
    return bounded(
        wholeSeconds(
            removalP99Millis / 1000.0 * s.factor()
                + s.marginSeconds()
                + s.budgetSeconds()
                + takeover),
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
