package io.saferollout.lab.dataplane;

import java.time.Duration;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * kube-proxy's way of being late. An endpoint change reaches the node's kube-proxy through its
 * EndpointSlice watch; kube-proxy then rewrites its rules in one sync, but runs syncs no more often
 * than {@code --iptables-min-sync-period} (default 1 s: "The minimum period between iptables rule
 * resyncs ... A value of 0 means every Service or EndpointSlice change will result in an immediate
 * iptables resync", https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/
 * and https://kubernetes.io/docs/reference/networking/virtual-ips/#minsyncperiod). Changes heard
 * while a sync waits for its turn join that sync; a change heard while a sync runs waits for the
 * next.
 *
 * <p>How long a sync takes to apply (watch delivery plus iptables-restore) is long-tailed:
 * log-normal around {@code applyMedian} with shape {@code applySigma}, capped at {@code applyCap}
 * so every draw is bounded. With the defaults (200 ms, sigma 0.8) the apply time's p90 is about
 * 0.56 s, its p99 about 1.3 s and its p99.9 about 2.4 s, on top of up to one min-sync period of
 * waiting.
 */
public record KubeProxySync(
    Duration minSyncPeriod, Duration applyMedian, double applySigma, Duration applyCap)
    implements PropagationProfile {

  public KubeProxySync {
    Durations.requireNotNegative("kube-proxy minSyncPeriod", minSyncPeriod);
    Durations.requirePositive("kube-proxy apply median", applyMedian);
    Durations.requirePositive("kube-proxy apply cap", applyCap);
    if (!(applySigma >= 0) || applySigma > 5) {
      throw new IllegalArgumentException(
          "kube-proxy apply sigma must be in [0, 5], got " + applySigma);
    }
    if (applyCap.compareTo(applyMedian) < 0) {
      throw new IllegalArgumentException(
          "kube-proxy apply cap " + applyCap + " is below its median " + applyMedian);
    }
  }

  /**
   * kube-proxy's default 1 s min-sync period; apply time log-normal, median 200 ms, sigma 0.8, cap
   * 30 s.
   */
  public static KubeProxySync defaults() {
    return new KubeProxySync(
        Duration.ofSeconds(1), Duration.ofMillis(200), 0.8, Duration.ofSeconds(30));
  }

  @Override
  public String id() {
    return "kube-proxy";
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "kube-proxy(minSync=%s, apply~logN(median=%s, sigma=%.1f, cap=%s))",
        Durations.text(minSyncPeriod),
        Durations.text(applyMedian),
        applySigma,
        Durations.text(applyCap));
  }

  /** One apply time: exp(ln(median) + sigma * N(0,1)), at most the cap. */
  long applyNanos(RandomGenerator random) {
    double nanos = applyMedian.toNanos() * Math.exp(applySigma * random.nextGaussian());
    return (long) Math.min(nanos, applyCap.toNanos());
  }

  /** kube-proxy's own syncs: what its metric measures. */
  @Override
  public boolean inKubeProxyMetric() {
    return true;
  }

  @Override
  public ApplySchedule schedule(RandomGenerator random) {
    return new ApplySchedule() {
      private boolean synced;
      private long lastSyncStart;
      private long lastSyncEnd;

      @Override
      public long applyAtNanos(long heardAtNanos) {
        if (synced && lastSyncStart > heardAtNanos) {
          return lastSyncEnd; // the next sync has not begun: this change joins it
        }
        long start =
            synced
                ? Math.max(
                    heardAtNanos, Math.max(lastSyncStart + minSyncPeriod.toNanos(), lastSyncEnd))
                : heardAtNanos;
        synced = true;
        lastSyncStart = start;
        lastSyncEnd = start + applyNanos(random);
        return lastSyncEnd;
      }
    };
  }
}
