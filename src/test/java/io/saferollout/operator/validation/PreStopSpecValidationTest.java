package io.saferollout.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.PathBudget;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SpecDefaults;
import io.saferollout.api.TargetRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.preStop problems the CRD schema may not have caught are named by their field. */
class PreStopSpecValidationTest {

  @Test
  void theDefaultsAreValid() {
    Parsed<SafeRolloutPolicy> parsed = SpecParser.parse(spec());
    assertThat(parsed.problems()).isEmpty();
    PreStopPolicy p = parsed.value().orElseThrow().preStop();
    assertThat(p.mode()).isEqualTo(SpecDefaults.PRE_STOP_MODE);
    assertThat(p.delaySeconds()).isEqualTo(SpecDefaults.PRE_STOP_DELAY_SECONDS);
    assertThat(p.metricsUrlTemplate()).isEqualTo(SpecDefaults.DATA_PLANE_METRICS_URL_TEMPLATE);
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
    assertThat(fields(spec))
        .containsExactlyInAnyOrder(
            "spec.preStop.factor",
            "spec.preStop.minSeconds",
            "spec.preStop.budgets[0].name",
            "spec.preStop.budgets[0].seconds",
            "spec.preStop.dataPlane.prometheusUrl");
  }

  @Test
  void eachPartOfTheShutdownIsBoundedOnItsOwn() {
    // preStop and drain each stay within SpecDefaults.MAX_SHUTDOWN_PART_SECONDS, so their sum can
    // never pass twice that, whichever delay Auto picks.
    SafeRolloutSpec auto = spec();
    auto.getPreStop().setMode(PreStopMode.Auto);
    auto.getPreStop().setMaxSeconds(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS + 1);
    auto.getPreStop().setDelaySeconds(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS + 1);
    assertThat(fields(auto))
        .containsExactlyInAnyOrder("spec.preStop.maxSeconds", "spec.preStop.delaySeconds");
    SafeRolloutSpec longest = spec();
    longest.getPreStop().setMaxSeconds(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS);
    longest.setDrainSeconds(SpecDefaults.MAX_SHUTDOWN_PART_SECONDS);
    assertThat(fields(longest)).isEmpty();
  }

  @Test
  void aMetricsUrlTemplateMustSayWhereTheNodeGoes() {
    SafeRolloutSpec spec = spec();
    spec.getPreStop().getDataPlane().setMetricsUrlTemplate("http://kube-proxy:10249/metrics");
    assertThat(fields(spec)).containsExactly("spec.preStop.dataPlane.metricsUrlTemplate");
  }

  private static List<String> fields(SafeRolloutSpec spec) {
    return SpecParser.parse(spec).problems().stream().map(SpecProblem::field).toList();
  }

  private static SafeRolloutSpec spec() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    return spec;
  }
}
