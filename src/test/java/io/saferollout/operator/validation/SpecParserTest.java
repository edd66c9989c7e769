package io.saferollout.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.saferollout.api.Adoption;
import io.saferollout.api.Mode;
import io.saferollout.api.OnDelete;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.SpecDefaults;
import io.saferollout.api.TargetRef;
import io.saferollout.rules.HardeningPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one reading of a spec: defaults from one place, every problem named by its field. */
class SpecParserTest {

  @Test
  void aSpecWithOnlyATargetGetsEveryDefault() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    // What a server without our CRD's defaults (or a hand-built spec) hands over: explicit nulls.
    spec.setMode(null);
    spec.setAdoption(null);
    spec.setOnDelete(null);
    spec.getPreStop().setDelaySeconds(null);
    spec.setDrainSeconds(null);
    spec.setStrategy(null);
    spec.setReadinessProbe(null);
    spec.setSidecars(null);

    SafeRolloutPolicy policy = SpecParser.parse(spec).value().orElseThrow();
    assertThat(policy.adoption()).isEqualTo(Adoption.NextRollout);
    assertThat(policy.onDelete()).isEqualTo(OnDelete.Keep);
    HardeningPolicy h = policy.hardening();
    assertThat(h.mode()).isEqualTo(Mode.FillMissing);
    assertThat(h.preStopDelaySeconds()).isEqualTo(SpecDefaults.PRE_STOP_DELAY_SECONDS);
    assertThat(h.drainSeconds()).isEqualTo(SpecDefaults.DRAIN_SECONDS);
    assertThat(h.maxSurge()).isEqualTo(new IntOrString(SpecDefaults.MAX_SURGE));
    assertThat(h.minReadySeconds()).isEqualTo(SpecDefaults.MIN_READY_SECONDS);
    assertThat(h.readiness().getPeriodSeconds()).isEqualTo(SpecDefaults.PROBE_PERIOD_SECONDS);
    assertThat(h.readiness().getScheme()).isEqualTo("HTTP");
  }

  @Test
  void theJavaModelsDefaultsAreTheParsersDefaults() {
    SafeRolloutSpec fresh = new SafeRolloutSpec();
    fresh.setTarget(TargetRef.byName("web"));
    SafeRolloutSpec nulls = new SafeRolloutSpec();
    nulls.setTarget(TargetRef.byName("web"));
    nulls.getPreStop().setDelaySeconds(null);
    nulls.setDrainSeconds(null);
    nulls.setStrategy(null);
    nulls.setReadinessProbe(null);
    assertThat(SpecParser.parse(fresh))
        .usingRecursiveComparison()
        .isEqualTo(SpecParser.parse(nulls));
    assertThat(SpecParser.parse(fresh).value().orElseThrow().hardening())
        .usingRecursiveComparison()
        .isEqualTo(HardeningPolicy.defaults());
  }

  @Test
  void everyBadFieldIsNamedAtOnce() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(new TargetRef());
    spec.setDrainSeconds(301);
    spec.getPreStop().setDelaySeconds(-3);
    spec.getStrategy().setMaxSurge(new IntOrString("0%"));
    spec.getStrategy().setMinReadySeconds(3601);
    spec.getReadinessProbe().setPath("healthz");
    spec.getReadinessProbe().setPort(new IntOrString(70000));
    spec.getReadinessProbe().setScheme("TCP");
    spec.getReadinessProbe().setPeriodSeconds(0);

    Parsed<SafeRolloutPolicy> parsed = SpecParser.parse(spec);
    assertThat(parsed.isValid()).isFalse();
    assertThat(parsed.problems())
        .extracting(SpecProblem::field)
        .containsExactlyInAnyOrder(
            "spec.target",
            "spec.drainSeconds",
            "spec.preStop.delaySeconds",
            "spec.strategy.maxSurge",
            "spec.strategy.minReadySeconds",
            "spec.readinessProbe.path",
            "spec.readinessProbe.port",
            "spec.readinessProbe.scheme",
            "spec.readinessProbe.periodSeconds");
    assertThat(parsed.describeProblems())
        .contains("spec.drainSeconds: must be between 0 and 300, got 301");
  }

  @Test
  void aSelectorMustSelectSomethingWithKnownOperators() {
    assertThat(fields(selector(new LabelSelector()))).containsExactly("spec.target.selector");
    assertThat(
            fields(
                selector(
                    new LabelSelectorBuilder()
                        .withMatchExpressions(
                            new LabelSelectorRequirementBuilder()
                                .withKey("tier")
                                .withOperator("Matches")
                                .withValues("x")
                                .build())
                        .build())))
        .containsExactly("spec.target.selector.matchExpressions[0].operator");
    assertThat(
            fields(
                selector(
                    new LabelSelectorBuilder()
                        .withMatchExpressions(
                            new LabelSelectorRequirementBuilder()
                                .withKey("tier")
                                .withOperator("In")
                                .build(),
                            new LabelSelectorRequirementBuilder()
                                .withKey("tier")
                                .withOperator("Exists")
                                .withValues("x")
                                .build())
                        .build())))
        .containsExactly(
            "spec.target.selector.matchExpressions[0].values",
            "spec.target.selector.matchExpressions[1].values");
    assertThat(
            fields(
                selector(
                    new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build())))
        .isEmpty();
  }

  @Test
  void aTargetNeedsExactlyOneOfNameOrSelector() {
    SafeRolloutSpec both = new SafeRolloutSpec();
    TargetRef t = TargetRef.byName("web");
    t.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("a", "b")).build());
    both.setTarget(t);
    assertThat(fields(both)).containsExactly("spec.target");
    SafeRolloutSpec badName = new SafeRolloutSpec();
    badName.setTarget(TargetRef.byName("Web_1"));
    assertThat(fields(badName)).containsExactly("spec.target.name");
    assertThat(SpecParser.parse(null).problems())
        .extracting(SpecProblem::field)
        .containsExactly("spec");
  }

  @Test
  void theHardeningAloneNeedsNoTarget() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(3);
    assertThat(SpecParser.hardening(spec).value().orElseThrow().preStopDelaySeconds()).isEqualTo(3);
    spec.getReadinessProbe().setPort(new IntOrString("http-metrics"));
    assertThat(SpecParser.hardening(spec).isValid()).isTrue();
    spec.getReadinessProbe().setPort(new IntOrString("a-very-long-port-name"));
    assertThat(SpecParser.hardening(spec).problems())
        .extracting(SpecProblem::field)
        .containsExactly("spec.readinessProbe.port");
  }

  private static SafeRolloutSpec selector(LabelSelector s) {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.bySelector(s));
    return spec;
  }

  private static java.util.List<String> fields(SafeRolloutSpec spec) {
    return SpecParser.parse(spec).problems().stream().map(SpecProblem::field).toList();
  }
}
