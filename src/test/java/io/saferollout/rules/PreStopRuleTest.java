package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.K8S_1_28;
import static io.saferollout.rules.Fixtures.K8S_1_29;
import static io.saferollout.rules.Fixtures.K8S_1_30;
import static io.saferollout.rules.Fixtures.K8S_1_34;
import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PreStopRuleTest {
  private static LifecycleHandler preStop(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop();
  }

  private static Deployment withPreStop(LifecycleHandler hook) {
    return naiveBuilder()
        .editSpec()
        .editTemplate()
        .editSpec()
        .editFirstContainer()
        .withNewLifecycle()
        .withPreStop(hook)
        .endLifecycle()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static LifecycleHandler exec(String... command) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(command).endExec().build();
  }

  private static LifecycleHandler sleep(long seconds) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
  }

  @Test
  void usesTheNativeSleepActionFrom130() {
    for (ClusterCapabilities caps : List.of(K8S_1_30, K8S_1_34)) {
      HardeningPlan plan = plan(naive(), policy(Mode.FillMissing), caps);
      assertThat(preStop(plan.hardened())).isEqualTo(sleep(15));
      assertThat(changesFor(plan, Rule.SR005))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.path())
                    .isEqualTo("spec.template.spec.containers[web].lifecycle.preStop");
                assertThat(c.newValue()).isEqualTo("{\"sleep\":{\"seconds\":15}}");
              });
      assertThat(findingsFor(plan, Rule.SR006)).isEmpty();
    }
  }

  @Test
  void beforeSleepActionsFallsBackToAShellSleepAndSaysTheImageNeedsAShell() {
    for (ClusterCapabilities caps : List.of(K8S_1_28, K8S_1_29)) {
      HardeningPlan plan = plan(naive(), policy(Mode.FillMissing), caps);
      assertThat(preStop(plan.hardened()).getExec().getCommand())
          .containsExactly("sh", "-c", "sleep 15");
      assertThat(findingsFor(plan, Rule.SR006))
          .singleElement()
          .satisfies(f -> assertThat(f.message()).contains("distroless"));
    }
  }

  @Test
  void followsThePolicysDelay() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(40);
    assertThat(preStop(plan(naive(), HardeningPolicy.from(spec)).hardened())).isEqualTo(sleep(40));
  }

  @Test
  void aZeroDelayPolicyAddsNoHook() {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(0);
    HardeningPlan plan = plan(naive(), HardeningPolicy.from(spec));
    assertThat(
            plan.hardened().getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle())
        .isNull();
    assertThat(changesFor(plan, Rule.SR005)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aLongEnoughUserHookIsKeptSilently(Mode mode) {
    for (LifecycleHandler hook :
        List.of(
            sleep(15),
            sleep(30),
            exec("/bin/sh", "-c", "sleep 20"),
            exec("sleep", "15"),
            exec("sh", "-c", "sleep 15 && nginx -s quit"))) {
      HardeningPlan plan = plan(withPreStop(hook), policy(mode));
      assertThat(preStop(plan.hardened())).isEqualTo(hook);
      assertThat(changesFor(plan, Rule.SR005)).isEmpty();
      assertThat(plan.findings())
          .extracting(Finding::rule)
          .doesNotContain(Rule.SR006, Rule.SR007, Rule.SR008);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aShortUserHookIsKeptEvenInEnforceAndReported(Mode mode) {
    HardeningPlan plan = plan(withPreStop(exec("sleep", "5")), policy(mode));
    assertThat(preStop(plan.hardened())).isEqualTo(exec("sleep", "5"));
    assertThat(findingsFor(plan, Rule.SR007))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("waits 5 s").contains("policy's 15 s"));
  }

  @Test
  void aHookThatIsNotASleepIsKeptUnchecked() {
    LifecycleHandler http =
        new LifecycleHandlerBuilder()
            .withNewHttpGet()
            .withPath("/drain")
            .withPort(new IntOrString(8080))
            .endHttpGet()
            .build();
    for (LifecycleHandler hook :
        List.of(http, exec("/app/drain"), exec("sh", "-c", "nginx -s quit; sleep 30"))) {
      HardeningPlan plan = plan(withPreStop(hook), policy(Mode.Enforce));
      assertThat(preStop(plan.hardened())).isEqualTo(hook);
      assertThat(findingsFor(plan, Rule.SR008))
          .singleElement()
          .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));
    }
  }

  @Test
  void aShellSleepItAddedStaysWhenTheClusterLaterSupportsTheSleepAction() {
    HardeningPlan old = plan(naive(), policy(Mode.FillMissing), K8S_1_28);
    Set<String> owned = Set.copyOf(old.changes().stream().map(Change::path).toList());
    HardeningPlan upgraded =
        DeploymentHardener.plan(old.hardened(), policy(Mode.FillMissing), K8S_1_30, owned, null);
    assertThat(upgraded.changes())
        .as("no rollout only to change the form of a hook that works")
        .isEmpty();
    assertThat(findingsFor(upgraded, Rule.SR006))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("keeps this form"));
  }

  @Test
  void aSleepActionItAddedBecomesAShellSleepWhenAnOlderKubeletJoins() {
    HardeningPlan modern = plan(naive(), policy(Mode.FillMissing), K8S_1_30);
    Set<String> owned = Set.copyOf(modern.changes().stream().map(Change::path).toList());
    HardeningPlan oldKubelet =
        DeploymentHardener.plan(modern.hardened(), policy(Mode.FillMissing), K8S_1_29, owned, null);
    assertThat(changesFor(oldKubelet, Rule.SR005))
        .singleElement()
        .satisfies(c -> assertThat(c.newValue()).contains("sleep 15"));
  }

  @Test
  void aChangedDelayUsesTheFormTheClusterRunsBest() {
    HardeningPlan old = plan(naive(), policy(Mode.FillMissing), K8S_1_28);
    Set<String> owned = Set.copyOf(old.changes().stream().map(Change::path).toList());
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getPreStop().setDelaySeconds(20);
    HardeningPlan longer =
        DeploymentHardener.plan(old.hardened(), HardeningPolicy.from(spec), K8S_1_30, owned, null);
    assertThat(changesFor(longer, Rule.SR005))
        .singleElement()
        .satisfies(c -> assertThat(c.newValue()).isEqualTo("{\"sleep\":{\"seconds\":20}}"));
  }

  @Test
  void readsTheDelayOfCommonHooks() {
    assertThat(PreStopDelay.seconds(sleep(12))).hasValue(12);
    assertThat(PreStopDelay.seconds(exec("sleep", "7"))).hasValue(7);
    assertThat(PreStopDelay.seconds(exec("/bin/sleep", "7s"))).hasValue(7);
    assertThat(PreStopDelay.seconds(exec("/bin/bash", "-c", "sleep 9;"))).hasValue(9);
    assertThat(PreStopDelay.seconds(exec("sh", "-c", " sleep 15 && kill -QUIT 1"))).hasValue(15);
    assertThat(PreStopDelay.seconds(exec("sh", "-c", "sleep $DELAY")))
        .isEqualTo(OptionalInt.empty());
    assertThat(PreStopDelay.seconds(exec("sh", "-c", "sleep 15x"))).isEmpty();
    assertThat(PreStopDelay.seconds(exec("python", "-c", "sleep 15"))).isEmpty();
    assertThat(PreStopDelay.seconds(null)).isEmpty();
    assertThat(PreStopDelay.needsShell(exec("/bin/sh", "-c", "sleep 1"))).isTrue();
    assertThat(PreStopDelay.needsShell(exec("sleep", "1"))).isFalse();
    assertThat(PreStopDelay.needsShell(sleep(1))).isFalse();
  }
}
