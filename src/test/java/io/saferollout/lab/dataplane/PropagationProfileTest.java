package io.saferollout.lab.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The propagation profiles, driven on a synthetic clock (nanoseconds from 0) with fixed seeds, so
 * the statistics are exact replays; the margins say how far a correct implementation may stray.
 */
class PropagationProfileTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  @Test
  void kubeProxySyncsNoSoonerThanTheMinSyncPeriodAfterThePreviousSync() {
    KubeProxySync profile =
        new KubeProxySync(Duration.ofSeconds(1), Duration.ofMillis(10), 0, Duration.ofSeconds(30));
    PropagationProfile.ApplySchedule node = profile.schedule(new SplittableRandom(1));

    long first = node.applyAtNanos(0);
    long second = node.applyAtNanos(100 * MS);
    long joined = node.applyAtNanos(500 * MS);
    long later = node.applyAtNanos(5 * SECOND);

    assertThat(first).as("an idle kube-proxy syncs at once; apply takes 10 ms").isEqualTo(10 * MS);
    assertThat(second)
        .as("next sync starts 1 s after the previous start")
        .isEqualTo(SECOND + 10 * MS);
    assertThat(joined).as("heard while that sync waits: applied with it").isEqualTo(second);
    assertThat(later).as("long after: at once again").isEqualTo(5 * SECOND + 10 * MS);
  }

  @Test
  void kubeProxyApplyTimeIsLogNormalWithTheConfiguredMedianAndTail() {
    KubeProxySync profile = KubeProxySync.defaults();
    PropagationProfile.ApplySchedule node = profile.schedule(new SplittableRandom(7));
    int n = 20_000;
    // Changes 100 s apart, so the min-sync wait never applies and each delay is one apply time.
    double[] delays =
        IntStream.range(0, n)
            .mapToDouble(i -> (node.applyAtNanos(i * 100 * SECOND) - i * 100 * SECOND) / 1e9)
            .sorted()
            .toArray();

    // log-normal(median 0.2 s, sigma 0.8): p50 = 0.2 s, p99 = 0.2 * e^(0.8 * 2.326) = 1.29 s.
    // With 20,000 draws the sample p50 is within ~2 % and the p99 within ~6 % (binomial standard
    // errors of 0.35 % and 0.07 % of rank, mapped through the density); margins are twice that.
    assertThat(delays[n / 2]).isCloseTo(0.2, within(0.2 * 0.04));
    assertThat(delays[(int) (n * 0.99)])
        .isCloseTo(0.2 * Math.exp(0.8 * 2.326), within(1.29 * 0.12));
    assertThat(delays[n - 1])
        .as("a long tail: some draws far above the p99")
        .isGreaterThan(2.0)
        .isLessThanOrEqualTo(30.0);
  }

  @Test
  void ingressAppliesAtTheNextReloadOfItsOwnPhase() {
    PeriodicReload profile = new PeriodicReload(Duration.ofSeconds(3));
    PropagationProfile.ApplySchedule node = profile.schedule(new SplittableRandom(3));
    SplittableRandom arrivals = new SplittableRandom(4);
    int n = 10_000;
    long[] applied = new long[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      long heard = i * 10 * SECOND + arrivals.nextLong(10 * SECOND);
      applied[i] = node.applyAtNanos(heard);
      double delay = (applied[i] - heard) / 1e9;
      assertThat(delay).isGreaterThan(0).isLessThanOrEqualTo(3.0);
      sum += delay;
    }
    // Uniform arrival against a 3 s cycle: mean wait 1.5 s; standard error 0.87 / sqrt(10,000) =
    // 0.009 s.
    assertThat(sum / n).isCloseTo(1.5, within(0.05));
    long phase = Math.floorMod(applied[0], 3 * SECOND);
    assertThat(Arrays.stream(applied).allMatch(t -> Math.floorMod(t, 3 * SECOND) == phase))
        .as("every apply falls on the node's reload ticks")
        .isTrue();
  }

  @Test
  void cloudLbTakesItsDeregistrationDelayEveryTime() {
    PropagationProfile.ApplySchedule node =
        CloudLbDeregistration.defaults().schedule(new SplittableRandom(5));
    for (int i = 0; i < 1_000; i++) {
      long heard = i * 100 * SECOND;
      double delay = (node.applyAtNanos(heard) - heard) / 1e9;
      assertThat(delay).isBetween(30.0, 35.0);
    }
  }

  @Test
  void everyProfileAppliesChangesInTheOrderTheyWereHeard() {
    for (PropagationProfile profile :
        new PropagationProfile[] {
          KubeProxySync.defaults(),
          PeriodicReload.defaults(),
          CloudLbDeregistration.defaults(),
          PropagationDelay.of(Duration.ZERO, Duration.ofSeconds(2))
        }) {
      PropagationProfile.ApplySchedule node = profile.schedule(new SplittableRandom(11));
      long previous = Long.MIN_VALUE;
      for (int i = 0; i < 2_000; i++) {
        long applied = node.applyAtNanos(i * 50 * MS);
        assertThat(applied).as("%s change %d", profile.id(), i).isGreaterThanOrEqualTo(previous);
        previous = applied;
      }
    }
  }

  /**
   * Nearby seeds and nearby nodes must give unrelated draws: the old seeding gave every node about
   * the same delay.
   */
  @Test
  void nodesOfNearbySeedsDrawIndependently() {
    int seeds = 2_000;
    double[] node0 = firstDraws(seeds, seed -> NodeSeeds.streamOf(seed, 0).nextDouble());
    double[] node1 = firstDraws(seeds, seed -> NodeSeeds.streamOf(seed, 1).nextDouble());

    // For independent uniform draws the sample correlation has standard error 1/sqrt(n) = 0.022;
    // 0.1 is 4.5 standard errors, so a correct mix fails this once in ~10^5.
    assertThat(
            Math.abs(
                correlation(Arrays.copyOf(node0, seeds - 1), Arrays.copyOfRange(node0, 1, seeds))))
        .as("seed s against seed s+1")
        .isLessThan(0.1);
    assertThat(Math.abs(correlation(node0, node1))).as("node 0 against node 1").isLessThan(0.1);
    assertThat(chiSquareOfDeciles(node0))
        .as("first draws spread evenly (chi-square, 9 df, 0.1 %% point 27.9)")
        .isLessThan(27.9);

    // The control: the old Random(seed * 31 + node) fails the same checks, so they can fail.
    double[] old = firstDraws(seeds, seed -> new Random(seed * 31).nextDouble());
    assertThat(correlation(Arrays.copyOf(old, seeds - 1), Arrays.copyOfRange(old, 1, seeds)))
        .isGreaterThan(0.9);
  }

  @Test
  void badProfilesAreRejectedWithTheProblemNamed() {
    assertThatThrownBy(
            () ->
                new KubeProxySync(
                    Duration.ofSeconds(-1), Duration.ofMillis(200), 0.8, Duration.ofSeconds(30)))
        .hasMessageContaining("minSyncPeriod");
    assertThatThrownBy(() -> new PeriodicReload(Duration.ZERO))
        .hasMessageContaining("reload period");
    assertThatThrownBy(
            () -> new CloudLbDeregistration(Duration.ofSeconds(30), Duration.ofSeconds(-5)))
        .hasMessageContaining("cloud-lb jitter");
    assertThatThrownBy(() -> DataPlaneKind.parse("ipvs"))
        .hasMessageContaining("kube-proxy, ingress");
  }

  private static double[] firstDraws(int seeds, ToDoubleFunction<Long> draw) {
    return IntStream.rangeClosed(1, seeds).mapToDouble(s -> draw.applyAsDouble((long) s)).toArray();
  }

  private static double correlation(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElseThrow();
    double my = Arrays.stream(y).average().orElseThrow();
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  private static double chiSquareOfDeciles(double[] uniform) {
    int[] counts = new int[10];
    Arrays.stream(uniform).forEach(u -> counts[(int) (u * 10)]++);
    double expected = uniform.length / 10.0;
    return Arrays.stream(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
  }
}
