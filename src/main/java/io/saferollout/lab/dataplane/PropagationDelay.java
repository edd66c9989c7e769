package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The simplest profile: each change takes a constant part plus a uniform random part, independently
 * of the others. No real data plane is this polite (see {@link KubeProxySync}); kept for tests that
 * need an exact lower bound, and as {@code uniform} for experiments.
 */
public record PropagationDelay(Duration base, Duration jitter) implements PropagationProfile {

  public static final PropagationDelay NONE = new PropagationDelay(Duration.ZERO, Duration.ZERO);

  public PropagationDelay {
    if (base == null || base.isNegative() || jitter == null || jitter.isNegative()) {
      throw new IllegalArgumentException(
          "propagation delay and jitter must be zero or positive, got " + base + " and " + jitter);
    }
  }

  public static PropagationDelay of(Duration base, Duration jitter) {
    return new PropagationDelay(base, jitter);
  }

  /** A draw in {@code [base, base + jitter]}. */
  public Duration sample(RandomGenerator random) {
    long spread = jitter.toNanos();
    return spread == 0 ? base : base.plusNanos((long) (random.nextDouble() * (spread + 1)));
  }

  @Override
  public String id() {
    return "uniform";
  }

  @Override
  public String describe() {
    return "uniform(" + Durations.text(base) + ".." + Durations.text(base.plus(jitter)) + ")";
  }

  /** Stands in for a kube-proxy whose delay a test wants exact, so its metric records it. */
  @Override
  public boolean inKubeProxyMetric() {
    return true;
  }

  @Override
  public ApplySchedule schedule(RandomGenerator random) {
    return new InOrder(heardAt -> heardAt + sample(random).toNanos());
  }
}
