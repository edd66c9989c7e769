package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.operator.validation.SpecValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.preStop problems the CRD schema may not have caught are named by their field. */
class PreStopSpecValidationTest {

  @Test
  void theDefaultsAreValid() {
    assertThat(SpecValidator.validate(spec())).isEmpty();
  }

  @Test
  void eachBadKnobIsNamedByItsField() {
    SafeRolloutSpec spec = spec();
    spec.getPreStop().setMode(PreStopMode.Auto);
    spec.getPreStop().setFactor(0.5);
    spec.getPreStop().setMinSeconds(30);
    spec.getPreStop().setMaxSeconds(20);
    spec.getPreStop().getBudgets().add(new PathBudget(" ", -1));
    spec.getPreStop().getDataPlane().setSource(DataPlaneSource.Prometheus);
    assertThat(fields(spec)).containsExactlyInAnyOrder("spec.preStop.factor", "spec.preStop.minSeconds",
        "spec.preStop.budgets[0].name", "spec.preStop.budgets[0].seconds", "spec.preStop.dataPlane.prometheusUrl");
  }

  @Test
  void autoIsBoundedByItsLongestChoiceAndFixedByItsDelay() {
    SafeRolloutSpec auto = spec();
    auto.getPreStop().setMode(PreStopMode.Auto);
    auto.getPreStop().setMaxSeconds(300);
    auto.setDrainSeconds(301);
    assertThat(fields(auto)).contains("spec.preStop.maxSeconds");
    SafeRolloutSpec fixed = spec();
    fixed.getPreStop().setMaxSeconds(300);
    fixed.setDrainSeconds(301);
    assertThat(fields(fixed)).doesNotContain("spec.preStop.maxSeconds");
  }

  @Test
  void aMetricsUrlTemplateMustSayWhereTheNodeGoes() {
    SafeRolloutSpec spec = spec();
    spec.getPreStop().getDataPlane().setMetricsUrlTemplate("http://kube-proxy:10249/metrics");
    assertThat(fields(spec)).containsExactly("spec.preStop.dataPlane.metricsUrlTemplate");
  }

  private static List<String> fields(SafeRolloutSpec spec) {
    return SpecValidator.validate(spec).stream().map(SpecValidator.Problem::field).toList();
  }

  private static SafeRolloutSpec spec() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    return spec;
  }
}
