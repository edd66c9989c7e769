package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.client.VersionInfo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes version the lab pretends to be. The API server reports it on {@code /version} and
 * the kubelet enables only the pod features that version has on by default.
 */
public record SimulatedVersion(int major, int minor) {

  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.\\d+)?");

  public SimulatedVersion {
    if (major != 1 || minor < 0) {
      throw new IllegalArgumentException(
          "unsupported Kubernetes version " + major + "." + minor + " (expected 1.x)");
    }
  }

  /** Accepts "1.28", "v1.33" or "v1.33.2". */
  public static SimulatedVersion parse(String text) {
    Matcher m = VERSION.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid Kubernetes version '" + text + "': expected MAJOR.MINOR such as 1.33");
    }
    return new SimulatedVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /**
   * {@code lifecycle.preStop.sleep}: feature gate PodLifecycleSleepAction (KEP-3960), alpha in 1.29
   * and on by default from 1.30. On older servers the field is dropped from the pod.
   */
  public boolean supportsSleepAction() {
    return minor >= 30;
  }

  /**
   * Init containers with {@code restartPolicy: Always}: feature gate SidecarContainers (KEP-753),
   * alpha in 1.28 and on by default from 1.29.
   */
  public boolean supportsNativeSidecars() {
    return minor >= 29;
  }

  VersionInfo toVersionInfo() {
    return new VersionInfo.Builder()
        .withMajor(Integer.toString(major))
        .withMinor(Integer.toString(minor))
        .withGitVersion("v" + this + ".0")
        .withPlatform("linux/amd64")
        .build();
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
