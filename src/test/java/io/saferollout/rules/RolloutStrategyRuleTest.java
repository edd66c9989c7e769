package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.liveDeployment;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.StrategySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutStrategyRuleTest {
  private static final String MAX_UNAVAILABLE = "spec.strategy.rollingUpdate.maxUnavailable";

  private static Deployment withRollingUpdate(IntOrString maxUnavailable, IntOrString maxSurge) {
    return naiveBuilder()
        .editSpec()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(maxUnavailable)
        .withMaxSurge(maxSurge)
        .endRollingUpdate()
        .endStrategy()
        .endSpec()
        .build();
  }

  private static DeploymentStrategy strategy(HardeningPlan plan) {
    return plan.hardened().getSpec().getStrategy();
  }

  private static HardeningPolicy surge(IntOrString maxSurge, int minReady) {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    StrategySpec strategy = new StrategySpec();
    strategy.setMaxSurge(maxSurge);
    strategy.setMinReadySeconds(minReady);
    spec.setStrategy(strategy);
    return HardeningPolicy.from(spec);
  }

  @Test
  void fillsARollingUpdateThatNeverDropsCapacity() {
    HardeningPlan plan = plan(naive());
    assertThat(strategy(plan).getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(strategy(plan).getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("25%"));
    assertThat(plan.hardened().getSpec().getMinReadySeconds()).isEqualTo(5);
    assertThat(plan.changes())
        .extracting(Change::path)
        .contains(
            "spec.strategy.rollingUpdate.maxUnavailable",
            "spec.strategy.rollingUpdate.maxSurge",
            "spec.minReadySeconds");
  }

  @Test
  void usesThePolicysSurgeAndMinReady() {
    HardeningPlan plan = plan(naive(), surge(new IntOrString(2), 12));
    assertThat(strategy(plan).getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(2));
    assertThat(plan.hardened().getSpec().getMinReadySeconds()).isEqualTo(12);
  }

  @Test
  void aUserMaxUnavailableIsReportedInFillMissingAndZeroedInEnforce() {
    Deployment d = withRollingUpdate(new IntOrString(1), new IntOrString(1));
    HardeningPlan fill = plan(d, policy(Mode.FillMissing));
    assertThat(strategy(fill).getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(findingsFor(fill, Rule.SR012)).hasSize(1);

    HardeningPlan enforce = plan(d, policy(Mode.Enforce));
    assertThat(strategy(enforce).getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(strategy(enforce).getRollingUpdate().getMaxSurge())
        .as("a positive user surge is kept")
        .isEqualTo(new IntOrString(1));
    assertThat(findingsFor(enforce, Rule.SR012)).isEmpty();
  }

  @Test
  void zeroPercentIsZero() {
    HardeningPlan plan =
        plan(
            withRollingUpdate(new IntOrString("0%"), new IntOrString("50%")), policy(Mode.Enforce));
    assertThat(plan.changes()).extracting(Change::rule).doesNotContain(Rule.SR012, Rule.SR013);
    assertThat(plan.findings()).extracting(Finding::rule).doesNotContain(Rule.SR012, Rule.SR013);
  }

  @Test
  void aPercentageMaxUnavailableIsExplainedAtTheCurrentScale() {
    Deployment four =
        new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(
                withRollingUpdate(new IntOrString("25%"), new IntOrString(1)))
            .editSpec()
            .withReplicas(4)
            .endSpec()
            .build();
    assertThat(findingsFor(plan(four), Rule.SR012))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("1 of 4 pods"));
    // 25% of 3 rounds down to 0 pods today, but not once an autoscaler adds replicas: still unsafe.
    assertThat(
            findingsFor(
                plan(withRollingUpdate(new IntOrString("25%"), new IntOrString(1))), Rule.SR012))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("0 of 3 pods"));
  }

  @Test
  void aZeroSurgeIsValidBesideAUserMaxUnavailableButNotBesideZero() {
    Deployment d = withRollingUpdate(new IntOrString(1), new IntOrString("0%"));
    HardeningPlan fill = plan(d, policy(Mode.FillMissing));
    assertThat(strategy(fill).getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString("0%"));
    assertThat(findingsFor(fill, Rule.SR013)).isEmpty();

    HardeningPlan enforce = plan(d, policy(Mode.Enforce));
    assertThat(strategy(enforce).getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(strategy(enforce).getRollingUpdate().getMaxSurge())
        .isEqualTo(new IntOrString("25%"));
  }

  /** The bounds the table below tries; null is a field left out. */
  private static final List<IntOrString> BOUNDS =
      Arrays.asList(
          null,
          new IntOrString(0),
          new IntOrString("0%"),
          new IntOrString("0"),
          new IntOrString(1),
          new IntOrString("25%"));

  /**
   * Written out by hand rather than asked of the rule: the API server reads 0, "0%" and "0" as 0
   * (getIntOrPercentValue in pkg/apis/apps/validation); a field left out is defaulted to 25%.
   */
  private static boolean kubernetesReadsZero(IntOrString bound) {
    return bound != null
        && (Integer.valueOf(0).equals(bound.getIntVal())
            || "0".equals(bound.getStrVal())
            || "0%".equals(bound.getStrVal()));
  }

  private static boolean bothZero(IntOrString maxUnavailable, IntOrString maxSurge) {
    return kubernetesReadsZero(maxUnavailable) && kubernetesReadsZero(maxSurge);
  }

  static Stream<Arguments> everyModeAndPairOfBounds() {
    return Arrays.stream(Mode.values())
        .flatMap(
            mode ->
                BOUNDS.stream()
                    .flatMap(
                        surge ->
                            BOUNDS.stream()
                                .map(unavailable -> Arguments.of(mode, surge, unavailable))));
  }

  @ParameterizedTest(name = "{0}: maxSurge {1}, maxUnavailable {2}")
  @MethodSource("everyModeAndPairOfBounds")
  void neverWritesMaxUnavailableAndMaxSurgeThatAreBothZero(
      Mode mode, IntOrString maxSurge, IntOrString maxUnavailable) {
    HardeningPlan plan = plan(withRollingUpdate(maxUnavailable, maxSurge), policy(mode));
    var after = strategy(plan).getRollingUpdate();

    if (bothZero(after.getMaxUnavailable(), after.getMaxSurge())) {
      assertThat(bothZero(maxUnavailable, maxSurge))
          .as("the invalid pair came from the input, not from the plan")
          .isTrue();
      assertThat(plan.changes())
          .extracting(Change::path)
          .doesNotContain(
              "spec.strategy.rollingUpdate.maxUnavailable", "spec.strategy.rollingUpdate.maxSurge");
      assertThat(findingsFor(plan, Rule.SR013))
          .singleElement()
          .satisfies(f -> assertThat(f.message()).contains("both 0", "Kubernetes rejects"));
    }
    if (maxSurge == null) {
      // Negative control: where the rule may write the surge, the capacity-keeping pair still
      // lands.
      assertThat(after.getMaxSurge()).isEqualTo(new IntOrString("25%"));
      if (maxUnavailable == null || mode == Mode.Enforce) {
        assertThat(kubernetesReadsZero(after.getMaxUnavailable())).isTrue();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Mode.class,
      names = {"FillMissing", "Audit"})
  void aUsersZeroSurgeKeepsMaxUnavailableAsItIsAndTheFindingSaysWhatToDo(Mode mode) {
    for (IntOrString zero :
        List.of(new IntOrString(0), new IntOrString("0%"), new IntOrString("0"))) {
      HardeningPlan plan = plan(withRollingUpdate(null, zero), policy(mode));

      assertThat(strategy(plan).getRollingUpdate().getMaxUnavailable()).as("%s", zero).isNull();
      assertThat(strategy(plan).getRollingUpdate().getMaxSurge()).isEqualTo(zero);
      assertThat(findingsFor(plan, Rule.SR013))
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.message())
                    .contains("maxSurge is 0", "maxUnavailable cannot be set to 0", "25%");
                assertThat(f.remedy()).contains("maxSurge to a positive number or percentage");
              });
      // The rest of the hardening still lands: only the invalid pair is left out.
      assertThat(changesFor(plan, Rule.SR005)).isNotEmpty();
      assertThat(changesFor(plan, Rule.SR014)).isNotEmpty();
    }
  }

  @Test
  void aUsersZeroSurgeAndZeroMaxUnavailableAreReportedAsThePairKubernetesRejects() {
    Deployment d = withRollingUpdate(new IntOrString(0), new IntOrString(0));

    HardeningPlan fill = plan(d, policy(Mode.FillMissing));
    assertThat(findingsFor(fill, Rule.SR013))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.message())
                  .contains("maxSurge 0 and maxUnavailable 0 are both 0")
                  .contains("may not be 0 when `maxSurge` is 0");
              assertThat(f.remedy()).contains("maxSurge to a positive number or percentage");
            });

    HardeningPlan enforce = plan(d, policy(Mode.Enforce));
    assertThat(strategy(enforce).getRollingUpdate().getMaxSurge())
        .isEqualTo(new IntOrString("25%"));
    assertThat(strategy(enforce).getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
  }

  /**
   * On a cluster the API server defaults the maxUnavailable a manifest leaves out to 25%; setting
   * it to 0 next to the user's maxSurge 0 made every patch of this Deployment fail with 422.
   */
  @Test
  void onALiveDeploymentTheDefaultedMaxUnavailableStaysBesideTheUsersZeroSurge() {
    Deployment d = liveDeployment();
    d.getSpec().getStrategy().getRollingUpdate().setMaxSurge(new IntOrString(0));
    ManagedFieldsEntry kubectl = d.getMetadata().getManagedFields().get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> owned =
        (Map<String, Object>) kubectl.getFieldsV1().getAdditionalProperties().get("f:spec");
    owned.put("f:strategy", Map.of("f:rollingUpdate", Map.of("f:maxSurge", Map.of())));
    assertThat(FieldOwnership.of(d).isDefaulted(FieldPath.parse(MAX_UNAVAILABLE))).isTrue();

    HardeningPlan plan = plan(d, policy(Mode.FillMissing));

    assertThat(strategy(plan).getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString("25%"));
    assertThat(plan.changes()).extracting(Change::path).doesNotContain(MAX_UNAVAILABLE);
    assertThat(findingsFor(plan, Rule.SR013))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("left at 25%"));
  }

  @Test
  void malformedBoundsAreReportedByValue() {
    HardeningPlan plan =
        plan(
            withRollingUpdate(new IntOrString("lots"), new IntOrString("many")),
            policy(Mode.FillMissing));
    assertThat(findingsFor(plan, Rule.SR012))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .contains("lots")
                    .contains("not a valid count or percentage"));
    assertThat(findingsFor(plan, Rule.SR013))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("many"));
  }

  @Test
  void recreateIsAnErrorInFillMissingAndBecomesRollingUpdateInEnforce() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .withNewStrategy()
            .withType("Recreate")
            .endStrategy()
            .endSpec()
            .build();
    HardeningPlan fill = plan(d, policy(Mode.FillMissing));
    assertThat(strategy(fill).getType()).isEqualTo("Recreate");
    assertThat(strategy(fill).getRollingUpdate())
        .as("Kubernetes rejects rollingUpdate beside Recreate")
        .isNull();
    assertThat(findingsFor(fill, Rule.SR011))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR));

    HardeningPlan enforce = plan(d, policy(Mode.Enforce));
    assertThat(strategy(enforce).getType()).isEqualTo("RollingUpdate");
    assertThat(strategy(enforce).getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(changesFor(enforce, Rule.SR011)).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void neverTouchesReplicas(Mode mode) {
    for (Integer replicas : new Integer[] {null, 0, 1, 7}) {
      Deployment d = naiveBuilder().editSpec().withReplicas(replicas).endSpec().build();
      HardeningPlan plan = plan(d, policy(mode));
      assertThat(plan.hardened().getSpec().getReplicas()).isEqualTo(replicas);
      assertThat(plan.changes())
          .extracting(Change::path)
          .noneMatch(p -> p.startsWith("spec.replicas"));
    }
  }

  @Test
  void minReadySecondsIsFilledWhenZeroAndKeptWhenSet() {
    Deployment zero = naiveBuilder().editSpec().withMinReadySeconds(0).endSpec().build();
    assertThat(plan(zero).hardened().getSpec().getMinReadySeconds()).isEqualTo(5);
    Deployment ten = naiveBuilder().editSpec().withMinReadySeconds(10).endSpec().build();
    HardeningPlan enforce = plan(ten, policy(Mode.Enforce));
    assertThat(enforce.hardened().getSpec().getMinReadySeconds()).isEqualTo(10);
    assertThat(changesFor(enforce, Rule.SR014)).isEmpty();
    Deployment two = naiveBuilder().editSpec().withMinReadySeconds(2).endSpec().build();
    assertThat(plan(two).hardened().getSpec().getMinReadySeconds()).isEqualTo(2);
  }

  @Test
  void aPolicyMinReadyOfZeroLeavesAFinding() {
    HardeningPlan plan = plan(naive(), surge(new IntOrString("25%"), 0));
    assertThat(plan.hardened().getSpec().getMinReadySeconds()).isNull();
    assertThat(findingsFor(plan, Rule.SR014)).hasSize(1);
  }

  @Test
  void replicaBoundsFollowKubernetesRounding() {
    ReplicaBound quarter = ReplicaBound.parse(new IntOrString("25%")).orElseThrow();
    assertThat(quarter.pods(3, ReplicaBound.Rounding.UP)).isEqualTo(1);
    assertThat(quarter.pods(3, ReplicaBound.Rounding.DOWN)).isEqualTo(0);
    assertThat(quarter.pods(4, ReplicaBound.Rounding.DOWN)).isEqualTo(1);
    assertThat(quarter.pods(0, ReplicaBound.Rounding.UP)).isEqualTo(0);
    assertThat(
            ReplicaBound.parse(new IntOrString("100%"))
                .orElseThrow()
                .pods(7, ReplicaBound.Rounding.DOWN))
        .isEqualTo(7);
    assertThat(
            ReplicaBound.parse(new IntOrString(3))
                .orElseThrow()
                .pods(100, ReplicaBound.Rounding.UP))
        .isEqualTo(3);
    assertThat(ReplicaBound.parse(new IntOrString("101%"))).isEmpty();
    assertThat(ReplicaBound.parse(new IntOrString("5"))).isEmpty();
    assertThat(ReplicaBound.parse(new IntOrString(-1))).isEmpty();
    assertThat(ReplicaBound.parse(null)).isEmpty();
    assertThat(ReplicaBound.parse(new IntOrString("0%")).orElseThrow().isZero()).isTrue();
  }
}
