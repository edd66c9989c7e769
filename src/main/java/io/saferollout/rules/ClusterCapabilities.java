package io.saferollout.rules;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the cluster can run, from the oldest Kubernetes version among the API server and the
 * kubelets. Both matter: the API server drops fields of features it does not know, and a kubelet
 * may be up to three minors older than the API server (version skew policy), and an old kubelet
 * cannot run a sleep hook or a native sidecar the API server accepted. Only features on by default
 * count: an alpha feature gate may be off, and hardening must never produce a Deployment the
 * cluster cannot run.
 */
public record ClusterCapabilities(int major, int minor) {
  /** The newest Kubernetes minor this code knows about. */
  public static final ClusterCapabilities LATEST = new ClusterCapabilities(1, 34);

  // "1.28", "v1.33.1", "v1.30.2+k3s1", "v1.29.4-eks-036c24b", and the "30+" minor some
  // managed clusters report in /version.
  private static final Pattern VERSION =
      Pattern.compile("^v?(\\d{1,3})\\.(\\d{1,3})\\+?(?:\\.\\d+)?(?:[-+].*)?$");

  public ClusterCapabilities {
    if (major < 1 || minor < 0) {
      throw new IllegalArgumentException(
          "Kubernetes version " + major + "." + minor + " is not valid");
    }
  }

  /**
   * Parses a server version such as {@code v1.30.2+k3s1}; rejects anything else with a clear
   * message.
   */
  public static ClusterCapabilities parse(String version) {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException(
          "Kubernetes version is empty; expected something like 1.30 or v1.30.2");
    }
    Matcher m = VERSION.matcher(version.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "Kubernetes version '"
              + version
              + "' is not valid; expected something like 1.30 or v1.30.2");
    }
    return new ClusterCapabilities(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /**
   * The capabilities of a cluster with this API server version and these kubelet versions (from the
   * Nodes' {@code status.nodeInfo.kubeletVersion}): the oldest of them all. A version that cannot
   * be read is rejected with a message naming it.
   */
  public static ClusterCapabilities oldestOf(String serverVersion, List<String> kubeletVersions) {
    ClusterCapabilities oldest = parse(serverVersion);
    for (String kubelet : kubeletVersions == null ? List.<String>of() : kubeletVersions) {
      ClusterCapabilities k = parse(kubelet);
      if (!k.atLeast(oldest.major, oldest.minor)) {
        oldest = k;
      }
    }
    return oldest;
  }

  /**
   * The preStop {@code sleep} action: feature gate PodLifecycleSleepAction, beta and on by default
   * since 1.30 (KEP-3960), GA in 1.34. The kubelet runs the hook, so every kubelet must be 1.30+.
   */
  public boolean sleepAction() {
    return atLeast(1, 30);
  }

  /**
   * Native sidecars, init containers with {@code restartPolicy: Always}: beta and on by default
   * since 1.29 (KEP-753), GA in 1.33.
   */
  public boolean nativeSidecars() {
    return atLeast(1, 29);
  }

  public boolean atLeast(int major, int minor) {
    return this.major > major || (this.major == major && this.minor >= minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
