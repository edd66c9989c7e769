package io.saferollout.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.saferollout.rules.ClusterCapabilities;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server version, read from /version and cached: whether the preStop sleep action and native
 * sidecars exist depends on it, and clusters get upgraded under a running operator.
 */
final class ClusterCapabilitiesSource {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterCapabilitiesSource.class);

  private final KubernetesClient client;
  private final Duration refresh;
  private ClusterCapabilities cached;
  private Instant readAt = Instant.MIN;

  ClusterCapabilitiesSource(KubernetesClient client, Duration refresh) {
    this.client = client;
    this.refresh = refresh;
  }

  synchronized ClusterCapabilities current() {
    if (cached == null || Instant.now().isAfter(readAt.plus(refresh))) {
      VersionInfo v = client.getKubernetesVersion();
      ClusterCapabilities read = ClusterCapabilities.parse(v.getGitVersion() != null && !v.getGitVersion().isBlank()
          ? v.getGitVersion() : v.getMajor() + "." + v.getMinor());
      if (!read.equals(cached)) {
        LOG.info("Kubernetes server version {}.{}: preStop sleep action {}, native sidecars {}",
            read.major(), read.minor(), read.sleepAction() ? "available" : "unavailable",
            read.nativeSidecars() ? "available" : "unavailable");
      }
      cached = read;
      readAt = Instant.now();
    }
    return cached;
  }
}
