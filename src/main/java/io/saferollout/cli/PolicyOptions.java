package io.saferollout.cli;

import io.saferollout.api.Mode;
import io.saferollout.api.ReadinessProbeSpec;
import io.saferollout.api.SidecarMode;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import picocli.CommandLine.Option;

/** The hardening policy and target server version, shared by {@code lint} and {@code harden} so both judge alike. */
final class PolicyOptions {
  @Option(names = "--server-version", paramLabel = "VERSION", defaultValue = "latest",
      description = "Kubernetes version the manifests are for, e.g. 1.29 or v1.30.2 (default: ${DEFAULT-VALUE}, "
          + "i.e. 1.34); decides preStop sleep action (1.30+) vs exec sleep, and native sidecars (1.29+)")
  String serverVersion;

  @Option(names = "--prestop-seconds", paramLabel = "SECONDS", defaultValue = "15",
      description = "preStop delay to add, and the shortest accepted (default: ${DEFAULT-VALUE})")
  int preStopSeconds;

  @Option(names = "--drain-seconds", paramLabel = "SECONDS", defaultValue = "10",
      description = "time the application needs to finish in-flight requests after SIGTERM (default: ${DEFAULT-VALUE})")
  int drainSeconds;

  @Option(names = "--min-ready-seconds", paramLabel = "SECONDS", defaultValue = "5",
      description = "minReadySeconds to set where it is 0 or missing (default: ${DEFAULT-VALUE})")
  int minReadySeconds;

  @Option(names = "--readiness-path", paramLabel = "PATH",
      description = "HTTP path for readiness probes that are added, e.g. /healthz (default: a TCP check, reported as SR002)")
  String readinessPath;

  ClusterCapabilities capabilities() {
    if (serverVersion.equalsIgnoreCase("latest")) {
      return ClusterCapabilities.LATEST;
    }
    try {
      return ClusterCapabilities.parse(serverVersion);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--server-version: " + e.getMessage());
    }
  }

  HardeningPolicy policy(Mode mode) {
    ReadinessProbeSpec readiness = new ReadinessProbeSpec();
    readiness.setPath(readinessPath);
    try {
      return new HardeningPolicy(mode, readiness, preStopSeconds, drainSeconds, null, minReadySeconds,
          SidecarMode.Auto);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage().replace("readinessProbe.path", "--readiness-path")
          .replace("preStopDelaySeconds", "--prestop-seconds").replace("drainSeconds", "--drain-seconds")
          .replace("minReadySeconds", "--min-ready-seconds"));
    }
  }
}
