package io.saferollout.cli;

import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SpecDefaults;
import io.saferollout.operator.validation.Parsed;
import io.saferollout.operator.validation.SpecParser;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The hardening policy and target server version, shared by {@code lint} and {@code harden} so both
 * judge alike.
 */
final class PolicyOptions {
  @Option(
      names = "--server-version",
      paramLabel = "VERSION",
      defaultValue = "latest",
      description =
          "Kubernetes version the manifests are for, e.g. 1.29 or v1.30.2 (default: ${DEFAULT-VALUE}, "
              + "i.e. 1.34); decides preStop sleep action (1.30+) vs exec sleep, and native sidecars (1.29+)")
  String serverVersion;

  @Option(
      names = "--prestop-seconds",
      paramLabel = "SECONDS",
      description =
          "preStop delay to add, and the shortest accepted (default: "
              + SpecDefaults.PRE_STOP_DELAY_SECONDS
              + ")")
  Integer preStopSeconds;

  @Option(
      names = "--drain-seconds",
      paramLabel = "SECONDS",
      description =
          "time the application needs to finish in-flight requests after SIGTERM (default: "
              + SpecDefaults.DRAIN_SECONDS
              + ")")
  Integer drainSeconds;

  @Option(
      names = "--min-ready-seconds",
      paramLabel = "SECONDS",
      description =
          "minReadySeconds to set where it is 0 or missing (default: "
              + SpecDefaults.MIN_READY_SECONDS
              + ")")
  Integer minReadySeconds;

  @Option(
      names = "--readiness-path",
      paramLabel = "PATH",
      description =
          "HTTP path for readiness probes that are added, e.g. /healthz (default: a TCP check, reported as SR002)")
  String readinessPath;

  /**
   * The option that sets each spec field: the CLI reads its options through the operator's spec
   * parser, and names its own option in the problems that parser reports.
   */
  private static final Map<String, String> OPTION_FOR_FIELD =
      Map.of(
          "spec.preStop.delaySeconds", "--prestop-seconds",
          "spec.drainSeconds", "--drain-seconds",
          "spec.strategy.minReadySeconds", "--min-ready-seconds",
          "spec.readinessProbe.path", "--readiness-path");

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
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setMode(mode);
    spec.getPreStop().setDelaySeconds(preStopSeconds);
    spec.setDrainSeconds(drainSeconds);
    spec.getStrategy().setMinReadySeconds(minReadySeconds);
    spec.getReadinessProbe().setPath(readinessPath);
    Parsed<HardeningPolicy> parsed = SpecParser.hardening(spec);
    return parsed
        .value()
        .orElseThrow(
            () ->
                new BadInputException(
                    parsed.problems().stream()
                        .map(
                            p ->
                                OPTION_FOR_FIELD.getOrDefault(p.field(), p.field())
                                    + ": "
                                    + p.message())
                        .collect(Collectors.joining("; "))));
  }
}
