package io.saferollout.api;

/** How sidecars are made ready before the application container receives traffic. */
public enum SidecarMode {
  /**
   * Detect: Istio or Linkerd injection annotations, else native sidecars where the server has them.
   */
  Auto,
  /** Kubernetes native sidecars: initContainers with restartPolicy Always (KEP-753). */
  Native,
  /** Istio: holdApplicationUntilProxyStarts in the proxy.istio.io/config pod annotation. */
  Istio,
  /** Linkerd: config.linkerd.io/proxy-await pod annotation. */
  Linkerd,
  /** Leave sidecars alone. */
  None
}
