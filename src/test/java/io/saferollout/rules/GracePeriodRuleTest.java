package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GracePeriodRuleTest {
  private static Long grace(HardeningPlan plan) {
    return plan.hardened().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
  }

  private static Deployment withGrace(long seconds) {
    return naiveBuilder()
        .editSpec()
        .editTemplate()
        .editSpec()
        .withTerminationGracePeriodSeconds(seconds)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Deployment withSleepAndGrace(long sleep, Long grace) {
    return naiveBuilder()
        .editSpec()
        .editTemplate()
        .editSpec()
        .withTerminationGracePeriodSeconds(grace)
        .editFirstContainer()
        .withNewLifecycle()
        .withPreStop(
            new LifecycleHandlerBuilder().withNewSleep().withSeconds(sleep).endSleep().build())
        .endLifecycle()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HardeningPolicy preStop(int seconds, Mode mode) {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(seconds);
    spec.setMode(mode);
    return HardeningPolicy.from(spec);
  }

  @Test
  void kubernetesDefaultOf30IsExactlyEnoughForTheDefaultPolicy() {
    assertThat(HardeningPolicy.defaults().requiredGracePeriodSeconds()).isEqualTo(30);
    HardeningPlan plan = plan(naive());
    assertThat(grace(plan)).as("unset stays unset: no needless rollout").isNull();
    assertThat(changesFor(plan, Rule.SR009)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR009)).isEmpty();
  }

  @Test
  void anUnsetGraceShorterThanNeededIsFilledInEveryMode() {
    for (Mode mode : Mode.values()) {
      HardeningPlan plan = plan(naive(), preStop(20, mode));
      assertThat(grace(plan)).isEqualTo(35L);
      assertThat(changesFor(plan, Rule.SR009))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.oldValue()).isNull();
                assertThat(c.newValue()).isEqualTo("35");
              });
    }
  }

  @Test
  void aShortUserGraceIsReportedInFillMissingAndCorrectedInEnforce() {
    HardeningPlan fill = plan(withGrace(10), policy(Mode.FillMissing));
    assertThat(grace(fill)).isEqualTo(10L);
    assertThat(findingsFor(fill, Rule.SR009))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("10 s").contains("30 s"));

    HardeningPlan enforce = plan(withGrace(10), policy(Mode.Enforce));
    assertThat(grace(enforce)).isEqualTo(30L);
    assertThat(findingsFor(enforce, Rule.SR009)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aGraceExactlyAsLongAsRequiredOrLongerIsKept(Mode mode) {
    for (long seconds : new long[] {30, 31, 120}) {
      HardeningPlan plan = plan(withGrace(seconds), policy(mode));
      assertThat(grace(plan)).isEqualTo(seconds);
      assertThat(plan.findings()).extracting(Finding::rule).doesNotContain(Rule.SR009, Rule.SR010);
    }
    HardeningPlan oneShort = plan(withGrace(29), policy(Mode.FillMissing));
    assertThat(findingsFor(oneShort, Rule.SR009)).hasSize(1);
  }

  @Test
  void aLongerUserPreStopNeedsALongerGrace() {
    HardeningPlan plan = plan(withSleepAndGrace(40, null), policy(Mode.FillMissing));
    assertThat(grace(plan)).as("40 s preStop + 10 s drain + 5 s margin").isEqualTo(55L);
  }

  @Test
  void aPreStopAsLongAsTheGracePeriodLeavesNoTimeAfterSigterm() {
    HardeningPlan equal = plan(withSleepAndGrace(30, 30L), policy(Mode.FillMissing));
    assertThat(findingsFor(equal, Rule.SR010))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.path())
                    .isEqualTo("spec.template.spec.containers[web].lifecycle.preStop"));
    HardeningPlan unset = plan(withSleepAndGrace(30, null), policy(Mode.FillMissing));
    assertThat(grace(unset)).isEqualTo(45L);
    assertThat(findingsFor(unset, Rule.SR010)).as("the grace period was filled").isEmpty();
    HardeningPlan shorter = plan(withSleepAndGrace(29, 30L), policy(Mode.FillMissing));
    assertThat(findingsFor(shorter, Rule.SR010)).isEmpty();
    HardeningPlan enforced = plan(withSleepAndGrace(30, 30L), policy(Mode.Enforce));
    assertThat(grace(enforced)).isEqualTo(45L);
    assertThat(findingsFor(enforced, Rule.SR010)).isEmpty();
  }

  @Test
  void aGraceSafeRolloutSetFollowsThePolicyBackDown() {
    HardeningPlan first = plan(naive(), preStop(60, Mode.FillMissing));
    assertThat(grace(first)).isEqualTo(75L);
    Set<String> owned = Set.copyOf(first.changes().stream().map(Change::path).toList());
    HardeningPlan second =
        DeploymentHardener.plan(
            first.hardened(),
            preStop(20, Mode.FillMissing),
            ClusterCapabilities.LATEST,
            owned,
            null);
    assertThat(grace(second)).isEqualTo(35L);
  }
}
