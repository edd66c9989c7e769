package io.saferollout.lab.app;

import java.time.Duration;
import java.util.Random;

/**
 * How a simulated application behaves over its life: the start-up and shutdown cases of the seed
 * article, from a listener that is not open yet to a process that ignores SIGTERM's intent.
 *
 * @param listenDelay time from process start until the listener opens (connections are refused
 *     before)
 * @param warmup time from opening the listener until requests stop getting 500
 * @param readinessPath answers 503 while warming up or draining, 200 otherwise
 * @param minServiceTime shortest time a normal request takes
 * @param maxServiceTime longest; each request takes a uniform draw between the two
 * @param shutdown what SIGTERM does
 * @param drainTimeout how long a graceful shutdown waits for in-flight requests before exiting
 *     anyway
 * @param seed for the service-time draws
 */
public record AppBehaviour(
    Duration listenDelay,
    Duration warmup,
    String readinessPath,
    Duration minServiceTime,
    Duration maxServiceTime,
    ShutdownStyle shutdown,
    Duration drainTimeout,
    long seed) {

  public AppBehaviour {
    requireNonNegative("listenDelay", listenDelay);
    requireNonNegative("warmup", warmup);
    requireNonNegative("minServiceTime", minServiceTime);
    requireNonNegative("maxServiceTime", maxServiceTime);
    requireNonNegative("drainTimeout", drainTimeout);
    if (maxServiceTime.compareTo(minServiceTime) < 0) {
      throw new IllegalArgumentException(
          "maxServiceTime " + maxServiceTime + " is shorter than minServiceTime " + minServiceTime);
    }
    if (readinessPath == null || !readinessPath.startsWith("/")) {
      throw new IllegalArgumentException("readinessPath must start with '/', got " + readinessPath);
    }
    if (shutdown == null) {
      throw new IllegalArgumentException("shutdown style is required");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  Duration serviceTime(Random random) {
    long spread = maxServiceTime.toNanos() - minServiceTime.toNanos();
    long extra = spread == 0 ? 0 : (long) (random.nextDouble() * (spread + 1));
    return minServiceTime.plusNanos(extra);
  }

  static void requireNonNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be zero or positive, got " + value);
    }
  }

  public static final class Builder {
    private Duration listenDelay = Duration.ZERO;
    private Duration warmup = Duration.ZERO;
    private String readinessPath = "/healthz";
    private Duration minServiceTime = Duration.ofMillis(5);
    private Duration maxServiceTime = Duration.ofMillis(20);
    private ShutdownStyle shutdown = ShutdownStyle.IMMEDIATE;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private long seed = 1;

    private Builder() {}

    public Builder listenDelay(Duration listenDelay) {
      this.listenDelay = listenDelay;
      return this;
    }

    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    public Builder readinessPath(String readinessPath) {
      this.readinessPath = readinessPath;
      return this;
    }

    public Builder serviceTime(Duration fixed) {
      return serviceTime(fixed, fixed);
    }

    public Builder serviceTime(Duration min, Duration max) {
      this.minServiceTime = min;
      this.maxServiceTime = max;
      return this;
    }

    public Builder shutdown(ShutdownStyle shutdown) {
      this.shutdown = shutdown;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public AppBehaviour build() {
      return new AppBehaviour(
          listenDelay,
          warmup,
          readinessPath,
          minServiceTime,
          maxServiceTime,
          shutdown,
          drainTimeout,
          seed);
    }
  }
}
