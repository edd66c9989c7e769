package io.saferollout.operator.validation;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.PreStopSpec;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a spec the CRD schema should already have rejected. A cluster may run without our CRD's
 * CEL rules (older API servers ignore x-kubernetes-validations) or with an older CRD version, so
 * the operator never trusts that admission caught everything: each problem names its field.
 */
public final class SpecValidator {
  private static final Set<String> SELECTOR_OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private SpecValidator() {}

  public record Problem(String field, String message) {
    @Override
    public String toString() {
      return field + ": " + message;
    }
  }

  public static List<Problem> validate(SafeRolloutSpec spec) {
    List<Problem> problems = new ArrayList<>();
    if (spec == null) {
      problems.add(new Problem("spec", "is missing"));
      return problems;
    }
    validateTarget(spec.getTarget(), problems);
    nonNegative("spec.drainSeconds", spec.getDrainSeconds(), 300, problems);
    validatePreStop(spec.getPreStop(), spec.getDrainSeconds() == null ? 0 : spec.getDrainSeconds(), problems);
    if (spec.getStrategy() != null) {
      validateMaxSurge(spec.getStrategy().getMaxSurge(), problems);
      nonNegative("spec.strategy.minReadySeconds", spec.getStrategy().getMinReadySeconds(), 3600, problems);
    }
    if (spec.getReadinessProbe() != null) {
      var r = spec.getReadinessProbe();
      if (r.getPath() != null && !r.getPath().startsWith("/")) {
        problems.add(new Problem("spec.readinessProbe.path", "must start with '/', got '" + r.getPath() + "'"));
      }
      if (r.getPort() != null && r.getPort().getIntVal() != null
          && (r.getPort().getIntVal() < 1 || r.getPort().getIntVal() > 65535)) {
        problems.add(new Problem("spec.readinessProbe.port", "must be 1-65535, got " + r.getPort().getIntVal()));
      }
      if (r.getPeriodSeconds() != null && r.getPeriodSeconds() < 1) {
        problems.add(new Problem("spec.readinessProbe.periodSeconds", "must be at least 1"));
      }
      if (r.getFailureThreshold() != null && r.getFailureThreshold() < 1) {
        problems.add(new Problem("spec.readinessProbe.failureThreshold", "must be at least 1"));
      }
    }
    return problems;
  }

  /** spec.preStop: bounds, and the longest delay it may choose plus drain within the shutdown limit. */
  private static void validatePreStop(PreStopSpec p, int drain, List<Problem> problems) {
    if (p == null) {
      return;
    }
    nonNegative("spec.preStop.delaySeconds", p.getDelaySeconds(), PreStopSpec.MAX_SECONDS, problems);
    nonNegative("spec.preStop.marginSeconds", p.getMarginSeconds(), PreStopSpec.MAX_SECONDS, problems);
    nonNegative("spec.preStop.minSeconds", p.getMinSeconds(), PreStopSpec.MAX_SECONDS, problems);
    nonNegative("spec.preStop.maxSeconds", p.getMaxSeconds(), PreStopSpec.MAX_SECONDS, problems);
    if (p.getFactor() != null && !(p.getFactor() >= 1 && p.getFactor() <= 10)) {
      problems.add(new Problem("spec.preStop.factor", "must be between 1 and 10, got " + p.getFactor()));
    }
    if (p.getMinSeconds() != null && p.getMaxSeconds() != null && p.getMinSeconds() > p.getMaxSeconds()) {
      problems.add(new Problem("spec.preStop.minSeconds",
          "minSeconds " + p.getMinSeconds() + " exceeds maxSeconds " + p.getMaxSeconds()));
    }
    int longest = p.getMode() == PreStopMode.Auto
        ? (p.getMaxSeconds() == null ? PreStopSpec.DEFAULT_MAX_SECONDS : p.getMaxSeconds())
        : (p.getDelaySeconds() == null ? PreStopSpec.DEFAULT_DELAY_SECONDS : p.getDelaySeconds());
    if (longest + drain > SafeRolloutSpec.MAX_SHUTDOWN_SECONDS) {
      problems.add(new Problem(p.getMode() == PreStopMode.Auto ? "spec.preStop.maxSeconds" : "spec.preStop.delaySeconds",
          "longest preStop " + longest + " s + drainSeconds " + drain + " s exceeds " + SafeRolloutSpec.MAX_SHUTDOWN_SECONDS));
    }
    for (int i = 0; i < p.getBudgets().size(); i++) {
      var b = p.getBudgets().get(i);
      if (b.getName() == null || b.getName().isBlank()) {
        problems.add(new Problem("spec.preStop.budgets[" + i + "].name", "is required: name the hop this budget covers"));
      }
      if (b.getSeconds() == null || b.getSeconds() < 0 || b.getSeconds() > PreStopSpec.MAX_SECONDS) {
        problems.add(new Problem("spec.preStop.budgets[" + i + "].seconds",
            "must be between 0 and " + PreStopSpec.MAX_SECONDS + ", got " + b.getSeconds()));
      }
    }
    var dp = p.getDataPlane();
    if (dp != null && dp.getSource() == DataPlaneSource.Prometheus && (dp.getPrometheusUrl() == null || dp.getPrometheusUrl().isBlank())) {
      problems.add(new Problem("spec.preStop.dataPlane.prometheusUrl", "is required when source is Prometheus"));
    }
    if (dp != null && dp.getSource() == DataPlaneSource.KubeProxyMetrics && dp.getMetricsUrlTemplate() != null
        && !dp.getMetricsUrlTemplate().contains("{nodeIP}")) {
      problems.add(new Problem("spec.preStop.dataPlane.metricsUrlTemplate",
          "must contain {nodeIP}, got '" + dp.getMetricsUrlTemplate() + "'"));
    }
  }

  private static void validateTarget(TargetRef target, List<Problem> problems) {
    if (target == null) {
      problems.add(new Problem("spec.target", "is required: set name or selector"));
      return;
    }
    boolean hasName = target.getName() != null && !target.getName().isBlank();
    boolean hasSelector = target.getSelector() != null;
    if (hasName == hasSelector) {
      problems.add(new Problem("spec.target", "needs exactly one of name or selector"));
    }
    if (hasSelector) {
      LabelSelector s = target.getSelector();
      boolean empty = (s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
          && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty());
      if (empty) {
        // An empty selector matches every Deployment in the namespace: almost surely a mistake.
        problems.add(new Problem("spec.target.selector", "is empty and would match every Deployment; list labels to match"));
      }
      if (s.getMatchExpressions() != null) {
        for (int i = 0; i < s.getMatchExpressions().size(); i++) {
          LabelSelectorRequirement req = s.getMatchExpressions().get(i);
          if (!SELECTOR_OPERATORS.contains(req.getOperator())) {
            problems.add(new Problem("spec.target.selector.matchExpressions[" + i + "].operator",
                "must be one of " + SELECTOR_OPERATORS + ", got '" + req.getOperator() + "'"));
          }
        }
      }
    }
  }

  private static void validateMaxSurge(IntOrString maxSurge, List<Problem> problems) {
    if (maxSurge == null) {
      return;
    }
    if (maxSurge.getIntVal() != null) {
      if (maxSurge.getIntVal() < 1) {
        problems.add(new Problem("spec.strategy.maxSurge",
            "must be at least 1: with maxUnavailable 0 a surge of 0 could never roll out"));
      }
    } else if (maxSurge.getStrVal() == null || !maxSurge.getStrVal().matches("^([1-9][0-9]?|100)%$")) {
      problems.add(new Problem("spec.strategy.maxSurge",
          "must be a positive number or a percentage from 1% to 100%, got '" + maxSurge.getStrVal() + "'"));
    }
  }

  private static void nonNegative(String field, Integer value, int max, List<Problem> problems) {
    if (value != null && (value < 0 || value > max)) {
      problems.add(new Problem(field, "must be between 0 and " + max + ", got " + value));
    }
  }
}
