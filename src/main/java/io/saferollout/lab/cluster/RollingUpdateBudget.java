package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * maxSurge and maxUnavailable resolved to pod counts, as deploymentutil.ResolveFenceposts does: a
 * percentage of the desired replicas, surge rounded up and unavailability rounded down, and if both
 * come out as zero the rollout may still make one pod unavailable, or it could never progress. See
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
 */
record RollingUpdateBudget(int maxSurge, int maxUnavailable) {

  enum Rounding {
    UP,
    DOWN
  }

  static RollingUpdateBudget of(Deployment d) {
    int desired = DeploymentDefaults.replicas(d);
    int surge = scaled(DeploymentDefaults.maxSurge(d), desired, Rounding.UP, "maxSurge");
    int unavailable =
        scaled(DeploymentDefaults.maxUnavailable(d), desired, Rounding.DOWN, "maxUnavailable");
    if (surge == 0 && unavailable == 0) {
      unavailable = 1;
    }
    return new RollingUpdateBudget(surge, unavailable);
  }

  /**
   * deploymentutil.MaxUnavailable: what the Available condition tolerates. Only a rolling update
   * with replicas tolerates any, and never more than the desired count.
   */
  static int availabilityTolerance(Deployment d) {
    int desired = DeploymentDefaults.replicas(d);
    if (DeploymentDefaults.isRecreate(d) || desired == 0) {
      return 0;
    }
    return Math.min(of(d).maxUnavailable(), desired);
  }

  static int scaled(IntOrString value, int total, Rounding rounding, String field) {
    if (value.getIntVal() != null) {
      if (value.getIntVal() < 0) {
        throw new IllegalArgumentException(
            field + " must not be negative, got " + value.getIntVal());
      }
      return value.getIntVal();
    }
    String text = value.getStrVal() == null ? "" : value.getStrVal().trim();
    if (!text.matches("\\d+%")) {
      throw new IllegalArgumentException(
          "invalid "
              + field
              + " '"
              + text
              + "': expected a non-negative integer or a percentage such as 25%");
    }
    long percent = Long.parseLong(text.substring(0, text.length() - 1));
    long scaledTimes100 = percent * total;
    return (int) (rounding == Rounding.UP ? (scaledTimes100 + 99) / 100 : scaledTimes100 / 100);
  }
}
