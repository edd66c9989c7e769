package io.saferollout.lab.dataplane;

import java.time.Duration;

/**
 * One node's Service proxy.
 *
 * @param name names the proxy (or node) in timelines and logs
 * @param host the loopback address to listen on
 * @param port 0 picks a free port
 * @param propagation how late endpoint changes reach this proxy
 * @param seed for the propagation draws, so a lab run can be replayed (see {@link NodeSeeds})
 * @param upstreamTimeout after which a silent upstream gets 504 (L7 proxies only)
 * @param retries how many other endpoints an L7 proxy tries after a failed attempt (0: none)
 */
public record ProxySettings(
    String name,
    String host,
    int port,
    PropagationProfile propagation,
    long seed,
    Duration upstreamTimeout,
    int retries) {

  public ProxySettings {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a proxy needs a name");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("proxy " + name + " needs a host to listen on");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("proxy " + name + ": port must be 0-65535, got " + port);
    }
    if (propagation == null) {
      throw new IllegalArgumentException(
          "proxy " + name + " needs a propagation profile (PropagationDelay.NONE for none)");
    }
    if (upstreamTimeout == null || upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
      throw new IllegalArgumentException(
          "proxy " + name + ": upstream timeout must be positive, got " + upstreamTimeout);
    }
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException(
          "proxy " + name + ": retries must be 0-10, got " + retries);
    }
  }

  /** No propagation delay, seed 1, 30 s upstream timeout, no retries. */
  public static ProxySettings of(String name, String host, int port) {
    return new ProxySettings(name, host, port, PropagationDelay.NONE, 1, Duration.ofSeconds(30), 0);
  }

  public ProxySettings withPropagation(PropagationProfile profile, long seed) {
    return new ProxySettings(name, host, port, profile, seed, upstreamTimeout, retries);
  }

  public ProxySettings withPropagationDelay(PropagationDelay delay, long seed) {
    return withPropagation(delay, seed);
  }

  public ProxySettings withUpstreamTimeout(Duration timeout) {
    return new ProxySettings(name, host, port, propagation, seed, timeout, retries);
  }

  public ProxySettings withRetries(int count) {
    return new ProxySettings(name, host, port, propagation, seed, upstreamTimeout, count);
  }
}
