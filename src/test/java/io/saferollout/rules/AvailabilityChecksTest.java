package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.pdbFor;
import static io.saferollout.rules.Fixtures.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AvailabilityChecksTest {
  private static HardeningPlan planWith(Deployment d, List<PodDisruptionBudget> pdbs) {
    return DeploymentHardener.plan(
        d, HardeningPolicy.defaults(), ClusterCapabilities.LATEST, Set.of(), pdbs);
  }

  private static Deployment replicas(Integer n) {
    return naiveBuilder().editSpec().withReplicas(n).endSpec().build();
  }

  @Test
  void aSingleReplicaIsAWarningWhetherSetOrDefaulted() {
    assertThat(findingsFor(plan(replicas(1)), Rule.SR015))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.WARNING));
    assertThat(findingsFor(plan(replicas(null)), Rule.SR015))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("unset"));
    assertThat(findingsFor(plan(replicas(3)), Rule.SR015)).isEmpty();
    assertThat(findingsFor(plan(replicas(0)), Rule.SR015))
        .as("scaled to zero on purpose")
        .isEmpty();
  }

  @Test
  void aPdbSelectingThePodsSatisfiesTheCheck() {
    assertThat(findingsFor(planWith(naive(), List.of(pdbFor("app", "web"))), Rule.SR016)).isEmpty();
    assertThat(findingsFor(planWith(naive(), List.of(pdbFor("app", "api"))), Rule.SR016))
        .hasSize(1);
    assertThat(findingsFor(planWith(naive(), List.of()), Rule.SR016)).hasSize(1);
    assertThat(findingsFor(planWith(naive(), null), Rule.SR016))
        .as("PDBs unknown: not checked")
        .isEmpty();
  }

  @Test
  void pdbSelectorsMatchByExpressionToo() {
    LabelSelector tierIn =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("app")
            .withOperator("In")
            .withValues("web", "api")
            .endMatchExpression()
            .build();
    PodDisruptionBudget pdb =
        new PodDisruptionBudgetBuilder().withNewSpec().withSelector(tierIn).endSpec().build();
    assertThat(findingsFor(planWith(naive(), List.of(pdb)), Rule.SR016)).isEmpty();
  }

  @Test
  void labelSelectorsFollowTheDocumentedOperators() {
    Map<String, String> labels = Map.of("app", "web", "tier", "front");
    assertThat(LabelSelectorMatch.matches(expr("app", "In", "web"), labels)).isTrue();
    assertThat(LabelSelectorMatch.matches(expr("app", "In", "api"), labels)).isFalse();
    assertThat(LabelSelectorMatch.matches(expr("app", "NotIn", "api"), labels)).isTrue();
    assertThat(LabelSelectorMatch.matches(expr("zone", "NotIn", "a"), labels))
        .as("absent key is not in")
        .isTrue();
    assertThat(LabelSelectorMatch.matches(expr("tier", "Exists"), labels)).isTrue();
    assertThat(LabelSelectorMatch.matches(expr("zone", "Exists"), labels)).isFalse();
    assertThat(LabelSelectorMatch.matches(expr("zone", "DoesNotExist"), labels)).isTrue();
    assertThat(LabelSelectorMatch.matches(expr("app", "Gt", "1"), labels)).isFalse();
    assertThat(LabelSelectorMatch.matches(new LabelSelector(), labels))
        .as("empty selects all")
        .isTrue();
    assertThat(LabelSelectorMatch.matches((LabelSelector) null, labels))
        .as("null selects none")
        .isFalse();
    LabelSelector both =
        new LabelSelectorBuilder(expr("tier", "Exists")).addToMatchLabels("app", "api").build();
    assertThat(LabelSelectorMatch.matches(both, labels)).isFalse();
  }

  private static LabelSelector expr(String key, String operator, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .endMatchExpression()
        .build();
  }

  @Test
  void manyReplicasWithoutSpreadAreReported() {
    assertThat(findingsFor(plan(replicas(3)), Rule.SR018)).hasSize(1);
    assertThat(findingsFor(plan(replicas(1)), Rule.SR018)).isEmpty();
    Deployment spread =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addNewTopologySpreadConstraint()
            .withTopologyKey("kubernetes.io/hostname")
            .withMaxSkew(1)
            .withWhenUnsatisfiable("ScheduleAnyway")
            .withNewLabelSelector()
            .addToMatchLabels("app", "web")
            .endLabelSelector()
            .endTopologySpreadConstraint()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(findingsFor(plan(spread), Rule.SR018)).isEmpty();
    Deployment anti =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .withNewAffinity()
            .withNewPodAntiAffinity()
            .addNewPreferredDuringSchedulingIgnoredDuringExecution()
            .withWeight(100)
            .withNewPodAffinityTerm()
            .withTopologyKey("kubernetes.io/hostname")
            .endPodAffinityTerm()
            .endPreferredDuringSchedulingIgnoredDuringExecution()
            .endPodAntiAffinity()
            .endAffinity()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(findingsFor(plan(anti), Rule.SR018)).isEmpty();
  }

  @Test
  void progressDeadlineMustLeaveTwiceTheTimeAPodNeedsToBecomeAvailable() {
    // readiness 100 + 10 x 1 = 110 s, plus minReadySeconds 5 (filled by the plan) = 115 s; twice
    // that is 230 s.
    assertThat(findingsFor(plan(slowStart(229)), Rule.SR019))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("229 s").contains("115 s"));
    assertThat(findingsFor(plan(slowStart(230)), Rule.SR019)).isEmpty();
    assertThat(findingsFor(plan(slowStart(null)), Rule.SR019))
        .as("Kubernetes default 600 s")
        .isEmpty();
  }

  private static Deployment slowStart(Integer deadline) {
    return naiveBuilder()
        .editSpec()
        .withProgressDeadlineSeconds(deadline)
        .editTemplate()
        .editSpec()
        .editFirstContainer()
        .withReadinessProbe(
            new ProbeBuilder()
                .withNewHttpGet()
                .withPath("/ready")
                .withNewPort(8080)
                .endHttpGet()
                .withInitialDelaySeconds(100)
                .withPeriodSeconds(10)
                .build())
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
