package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.saferollout.api.Mode;
import io.saferollout.api.ReadinessProbeSpec;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SidecarMode;
import io.saferollout.api.SpecDefaults;
import io.saferollout.api.StrategySpec;
import java.util.Objects;

/**
 * The knobs of a {@link SafeRolloutSpec}, with every default filled in. Build it with {@link #from}
 * so a spec with missing or null fields still yields the documented defaults.
 */
public record HardeningPolicy(
    Mode mode,
    ReadinessProbeSpec readiness,
    int preStopDelaySeconds,
    int drainSeconds,
    IntOrString maxSurge,
    int minReadySeconds,
    SidecarMode sidecars) {

  public static final int DEFAULT_PRE_STOP_DELAY_SECONDS = SpecDefaults.PRE_STOP_DELAY_SECONDS;
  public static final int DEFAULT_DRAIN_SECONDS = SpecDefaults.DRAIN_SECONDS;
  public static final String DEFAULT_MAX_SURGE = SpecDefaults.MAX_SURGE;
  public static final int DEFAULT_MIN_READY_SECONDS = SpecDefaults.MIN_READY_SECONDS;

  /**
   * Slack on top of preStop + drain in the grace period: SIGKILL is sent when the grace period
   * ends, counted from the deletion, and the kubelet needs a moment between the preStop hook
   * returning and SIGTERM reaching the process (and for the process to exit after draining). Five
   * seconds keeps the default policy (15 + 10 + 5) at Kubernetes' own default of 30 s.
   */
  public static final int GRACE_MARGIN_SECONDS = 5;

  public HardeningPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(sidecars, "sidecars");
    readiness = withDefaults(readiness);
    requireNonNegative("preStopDelaySeconds", preStopDelaySeconds);
    requireNonNegative("drainSeconds", drainSeconds);
    requireNonNegative("minReadySeconds", minReadySeconds);
    if (maxSurge == null) {
      maxSurge = new IntOrString(DEFAULT_MAX_SURGE);
    }
    IntOrString given = maxSurge;
    ReplicaBound surge =
        ReplicaBound.parse(given)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "strategy.maxSurge '"
                            + describe(given)
                            + "' is not valid: use a positive number or a percentage such as 25%"));
    if (surge.isZero()) {
      throw new IllegalArgumentException(
          "strategy.maxSurge must not be 0: maxUnavailable is always 0, and Kubernetes forbids both being 0");
    }
  }

  /** The policy a spec asks for; every null means the documented default. */
  public static HardeningPolicy from(SafeRolloutSpec spec) {
    if (spec == null) {
      return defaults();
    }
    StrategySpec strategy = spec.getStrategy();
    return new HardeningPolicy(
        spec.getMode() == null ? Mode.FillMissing : spec.getMode(),
        spec.getReadinessProbe(),
        spec.getPreStop() == null
            ? DEFAULT_PRE_STOP_DELAY_SECONDS
            : orDefault(spec.getPreStop().getDelaySeconds(), DEFAULT_PRE_STOP_DELAY_SECONDS),
        orDefault(spec.getDrainSeconds(), DEFAULT_DRAIN_SECONDS),
        strategy == null ? null : strategy.getMaxSurge(),
        strategy == null
            ? DEFAULT_MIN_READY_SECONDS
            : orDefault(strategy.getMinReadySeconds(), DEFAULT_MIN_READY_SECONDS),
        spec.getSidecars() == null ? SidecarMode.Auto : spec.getSidecars());
  }

  public static HardeningPolicy defaults() {
    return new HardeningPolicy(
        Mode.FillMissing,
        null,
        DEFAULT_PRE_STOP_DELAY_SECONDS,
        DEFAULT_DRAIN_SECONDS,
        null,
        DEFAULT_MIN_READY_SECONDS,
        SidecarMode.Auto);
  }

  /** The shortest safe terminationGracePeriodSeconds: the preStop delay counts inside it. */
  public int requiredGracePeriodSeconds() {
    return preStopDelaySeconds + drainSeconds + GRACE_MARGIN_SECONDS;
  }

  public HardeningPolicy withMode(Mode newMode) {
    return new HardeningPolicy(
        newMode, readiness, preStopDelaySeconds, drainSeconds, maxSurge, minReadySeconds, sidecars);
  }

  /** The same policy with a preStop delay chosen elsewhere (measured, in preStop.mode Auto). */
  public HardeningPolicy withPreStopDelaySeconds(int seconds) {
    return new HardeningPolicy(
        mode, readiness, seconds, drainSeconds, maxSurge, minReadySeconds, sidecars);
  }

  public HardeningPolicy withSidecars(SidecarMode newSidecars) {
    return new HardeningPolicy(
        mode, readiness, preStopDelaySeconds, drainSeconds, maxSurge, minReadySeconds, newSidecars);
  }

  private static ReadinessProbeSpec withDefaults(ReadinessProbeSpec given) {
    ReadinessProbeSpec d = new ReadinessProbeSpec();
    if (given == null) {
      return d;
    }
    ReadinessProbeSpec r = new ReadinessProbeSpec();
    r.setPath(given.getPath() == null || given.getPath().isBlank() ? null : given.getPath());
    r.setPort(given.getPort());
    r.setScheme(given.getScheme() == null ? d.getScheme() : given.getScheme());
    r.setInitialDelaySeconds(orDefault(given.getInitialDelaySeconds(), d.getInitialDelaySeconds()));
    r.setPeriodSeconds(orDefault(given.getPeriodSeconds(), d.getPeriodSeconds()));
    r.setTimeoutSeconds(orDefault(given.getTimeoutSeconds(), d.getTimeoutSeconds()));
    r.setSuccessThreshold(orDefault(given.getSuccessThreshold(), d.getSuccessThreshold()));
    r.setFailureThreshold(orDefault(given.getFailureThreshold(), d.getFailureThreshold()));
    if (r.getPath() != null && !r.getPath().startsWith("/")) {
      throw new IllegalArgumentException(
          "readinessProbe.path '" + r.getPath() + "' must start with /");
    }
    if (!r.getScheme().equals("HTTP") && !r.getScheme().equals("HTTPS")) {
      throw new IllegalArgumentException(
          "readinessProbe.scheme '" + r.getScheme() + "' must be HTTP or HTTPS");
    }
    return r;
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static void requireNonNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, got " + value);
    }
  }

  private static String describe(IntOrString value) {
    return value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
  }
}
