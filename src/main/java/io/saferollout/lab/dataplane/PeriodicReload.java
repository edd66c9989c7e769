package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * An L7 controller (an ingress controller, a mesh's config push) that picks up endpoint changes at
 * periodic reloads, e.g. ingress-nginx, whose controller syncs at most {@code --sync-rate-limit}
 * times a second (0.3 by default: one sync per ~3.3 s,
 * https://kubernetes.github.io/ingress-nginx/user-guide/cli-arguments/). A change is applied at the
 * first reload after it is heard; each node's reloads have their own phase, drawn once.
 */
public record PeriodicReload(Duration period) implements PropagationProfile {

  public PeriodicReload {
    Durations.requirePositive("ingress reload period", period);
  }

  /** One reload every 3 s, close to ingress-nginx's default rate limit. */
  public static PeriodicReload defaults() {
    return new PeriodicReload(Duration.ofSeconds(3));
  }

  @Override
  public String id() {
    return "ingress";
  }

  @Override
  public String describe() {
    return "ingress(reload every " + Durations.text(period) + ")";
  }

  /** An ingress controller's reloads are not kube-proxy's: its metric never sees them. */
  @Override
  public boolean inKubeProxyMetric() {
    return false;
  }

  @Override
  public ApplySchedule schedule(RandomGenerator random) {
    long periodNanos = period.toNanos();
    long phase = (long) (random.nextDouble() * periodNanos);
    // Reloads happen at phase + k * period; a change waits for the first one strictly after it.
    return new InOrder(
        heardAt -> heardAt + periodNanos - Math.floorMod(heardAt - phase, periodNanos));
  }
}
