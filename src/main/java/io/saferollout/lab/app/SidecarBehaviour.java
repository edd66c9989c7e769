package io.saferollout.lab.app;

import java.time.Duration;

/**
 * How an in-pod sidecar proxy (the seed article's Envoy) behaves.
 *
 * @param startDelay time from container start until the sidecar can route
 * @param startup how it fails requests before then
 * @param readinessPath its own readiness endpoint (Istio's is {@code /healthz/ready} on port 15021)
 * @param shutdown what SIGTERM does
 * @param drainTimeout bound on a graceful drain (Istio's {@code terminationDrainDuration})
 */
public record SidecarBehaviour(
    Duration startDelay,
    SidecarStartup startup,
    String readinessPath,
    ShutdownStyle shutdown,
    Duration drainTimeout) {

  public SidecarBehaviour {
    AppBehaviour.requireNonNegative("startDelay", startDelay);
    AppBehaviour.requireNonNegative("drainTimeout", drainTimeout);
    if (startup == null || shutdown == null) {
      throw new IllegalArgumentException("sidecar startup and shutdown styles are required");
    }
    if (readinessPath == null || !readinessPath.startsWith("/")) {
      throw new IllegalArgumentException("readinessPath must start with '/', got " + readinessPath);
    }
  }

  /** Istio-like defaults: 503 until routes arrive, graceful drain of 5 s. */
  public static SidecarBehaviour startingAfter(Duration startDelay) {
    return new SidecarBehaviour(
        startDelay,
        SidecarStartup.ANSWER_503_UNTIL_READY,
        "/healthz/ready",
        ShutdownStyle.GRACEFUL,
        Duration.ofSeconds(5));
  }

  public SidecarBehaviour withStartup(SidecarStartup startup) {
    return new SidecarBehaviour(startDelay, startup, readinessPath, shutdown, drainTimeout);
  }

  public SidecarBehaviour withShutdown(ShutdownStyle shutdown, Duration drainTimeout) {
    return new SidecarBehaviour(startDelay, startup, readinessPath, shutdown, drainTimeout);
  }
}
