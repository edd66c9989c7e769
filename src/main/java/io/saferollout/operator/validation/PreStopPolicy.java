package io.saferollout.operator.validation;

import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.TuningApplication;
import java.util.List;

/**
 * spec.preStop after parsing: every knob valid and defaulted from {@link
 * io.saferollout.api.SpecDefaults}.
 *
 * @param delaySeconds the Fixed delay, and Auto's delay before anything is measured
 * @param budgets stated seconds for hops no metric covers, in spec order
 * @param metricsUrlTemplate kube-proxy's metrics URL with {@code {nodeIP}} (source
 *     KubeProxyMetrics)
 * @param prometheusUrl the Prometheus API base URL (source Prometheus), else null
 */
public record PreStopPolicy(
    PreStopMode mode,
    int delaySeconds,
    double factor,
    int marginSeconds,
    int minSeconds,
    int maxSeconds,
    TuningApplication application,
    List<PathBudget> budgets,
    DataPlaneSource dataPlaneSource,
    String metricsUrlTemplate,
    String prometheusUrl,
    String query) {

  public PreStopPolicy {
    budgets = List.copyOf(budgets);
  }

  /** The budgets' sum: these hops add up along the path a request takes. */
  public double budgetSeconds() {
    return budgets.stream().mapToDouble(PathBudget::getSeconds).sum();
  }
}
