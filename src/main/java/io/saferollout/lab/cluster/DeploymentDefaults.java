package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import java.util.Optional;

/**
 * The API server's defaults for apps/v1 Deployments (pkg/apis/apps/v1/defaults.go). The mock API
 * server applies none, so the lab's controllers read every optional field through here.
 */
final class DeploymentDefaults {

  static final String DEFAULT_SURGE_OR_UNAVAILABLE = "25%";

  private DeploymentDefaults() {}

  static int replicas(Deployment d) {
    return Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
  }

  static int minReadySeconds(Deployment d) {
    return Optional.ofNullable(d.getSpec().getMinReadySeconds()).orElse(0);
  }

  static int progressDeadlineSeconds(Deployment d) {
    return Optional.ofNullable(d.getSpec().getProgressDeadlineSeconds()).orElse(600);
  }

  static int revisionHistoryLimit(Deployment d) {
    return Optional.ofNullable(d.getSpec().getRevisionHistoryLimit()).orElse(10);
  }

  static boolean paused(Deployment d) {
    return Boolean.TRUE.equals(d.getSpec().getPaused());
  }

  static boolean isRecreate(Deployment d) {
    return "Recreate"
        .equals(
            Optional.ofNullable(d.getSpec())
                .map(DeploymentSpec::getStrategy)
                .map(DeploymentStrategy::getType)
                .orElse("RollingUpdate"));
  }

  static IntOrString maxSurge(Deployment d) {
    return rollingParameter(d, true);
  }

  static IntOrString maxUnavailable(Deployment d) {
    return rollingParameter(d, false);
  }

  private static IntOrString rollingParameter(Deployment d, boolean surge) {
    DeploymentStrategy strategy = d.getSpec().getStrategy();
    IntOrString value =
        strategy == null || strategy.getRollingUpdate() == null
            ? null
            : surge
                ? strategy.getRollingUpdate().getMaxSurge()
                : strategy.getRollingUpdate().getMaxUnavailable();
    return value == null ? new IntOrString(DEFAULT_SURGE_OR_UNAVAILABLE) : value;
  }
}
