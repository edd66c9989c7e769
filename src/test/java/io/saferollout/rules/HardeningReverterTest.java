package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.K8S_1_28;
import static io.saferollout.rules.Fixtures.K8S_1_34;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.withPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.Mode;
import io.saferollout.api.SidecarMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HardeningReverterTest {
  private static String json(Object o) {
    return Serialization.asJson(o);
  }

  @Test
  void revertingEveryRecordedChangeRestoresTheOriginalExactly() {
    Map<String, Deployment> fixtures =
        new java.util.LinkedHashMap<>(DeploymentHardenerTest.fixtures());
    for (Map.Entry<String, Deployment> fixture : fixtures.entrySet()) {
      for (Mode mode : List.of(Mode.FillMissing, Mode.Enforce)) {
        for (ClusterCapabilities caps : List.of(K8S_1_28, K8S_1_34)) {
          HardeningPlan plan =
              DeploymentHardener.plan(fixture.getValue(), withPath(mode), caps, Set.of(), null);
          RevertPlan revert = HardeningReverter.revert(plan.hardened(), plan.changes());
          assertThat(json(revert.reverted()))
              .as(fixture.getKey() + ", " + mode + ", " + caps)
              .isEqualTo(json(fixture.getValue()));
          assertThat(revert.skipped()).isEmpty();
          assertThat(revert.revertedChanges()).hasSameSizeAs(plan.changes());
        }
      }
    }
  }

  @Test
  void annotationsItCreatedAreRemovedWithoutLeavingAnEmptyMap() {
    HardeningPlan plan =
        Fixtures.plan(naive(), withPath(Mode.FillMissing).withSidecars(SidecarMode.Istio));
    assertThat(plan.hardened().getSpec().getTemplate().getMetadata().getAnnotations()).isNotEmpty();
    RevertPlan revert = HardeningReverter.revert(plan.hardened(), plan.changes());
    assertThat(json(revert.reverted())).isEqualTo(json(naive()));
  }

  @Test
  void aSidecarMovedBackLeavesNoEmptyInitContainers() {
    Deployment withProxy =
        new DeploymentBuilder(naive())
            .editSpec()
            .editTemplate()
            .editSpec()
            .addNewContainer()
            .withName("envoy")
            .withImage("envoyproxy/envoy:v1.30")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = Fixtures.plan(withProxy, withPath(Mode.FillMissing));
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getInitContainers()).hasSize(1);
    RevertPlan revert = HardeningReverter.revert(plan.hardened(), plan.changes());
    assertThat(json(revert.reverted())).isEqualTo(json(withProxy));
    assertThat(json(revert.reverted())).doesNotContain("initContainers");
  }

  @Test
  void aValueTheUserChangedSinceIsKeptAndReported() {
    HardeningPlan plan = Fixtures.plan(naive(), withPath(Mode.FillMissing));
    Deployment edited =
        new DeploymentBuilder(plan.hardened())
            .editSpec()
            .editStrategy()
            .editRollingUpdate()
            .withMaxSurge(new IntOrString(2))
            .endRollingUpdate()
            .endStrategy()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editLifecycle()
            .withPreStop(
                new LifecycleHandlerBuilder().withNewSleep().withSeconds(20L).endSleep().build())
            .endLifecycle()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();

    RevertPlan revert = HardeningReverter.revert(edited, plan.changes());
    Deployment d = revert.reverted();
    Container web = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(web.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(20L);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
        .isEqualTo(new IntOrString(2));
    assertThat(web.getReadinessProbe()).as("untouched since: reverted").isNull();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isNull();
    assertThat(d.getSpec().getMinReadySeconds()).isNull();
    assertThat(revert.skipped())
        .extracting(Finding::path)
        .containsExactlyInAnyOrder(
            "spec.template.spec.containers[web].lifecycle.preStop",
            "spec.strategy.rollingUpdate.maxSurge");
    assertThat(revert.skipped())
        .filteredOn(f -> f.rule() == Rule.SR005)
        .singleElement()
        .satisfies(
            f -> assertThat(f.message()).contains("{\"sleep\":{\"seconds\":20}}").contains("kept"));
  }

  @Test
  void aFieldTheUserRemovedStaysRemoved() {
    HardeningPlan plan = Fixtures.plan(naive(), withPath(Mode.FillMissing));
    Deployment edited =
        new DeploymentBuilder(plan.hardened())
            .editSpec()
            .withMinReadySeconds(null)
            .endSpec()
            .build();
    RevertPlan revert = HardeningReverter.revert(edited, plan.changes());
    assertThat(revert.reverted().getSpec().getMinReadySeconds()).isNull();
    assertThat(revert.skipped()).extracting(Finding::path).containsExactly("spec.minReadySeconds");
  }

  @Test
  void revertedChangesRunFromWhatSafeRolloutSetBackToWhatWasThere() {
    HardeningPlan plan = Fixtures.plan(naive(), withPath(Mode.FillMissing));
    RevertPlan revert = HardeningReverter.revert(plan.hardened(), plan.changes());
    Change minReady =
        revert.revertedChanges().stream()
            .filter(c -> c.path().equals("spec.minReadySeconds"))
            .findFirst()
            .orElseThrow();
    assertThat(minReady.oldValue()).isEqualTo("5");
    assertThat(minReady.newValue()).isNull();
    assertThat(revert.revertedChanges().get(0).path())
        .as("newest first")
        .isEqualTo(plan.changes().get(plan.changes().size() - 1).path());
  }

  @Test
  void nothingRecordedRevertsNothingAndInputIsNotMutated() {
    HardeningPlan plan = Fixtures.plan(naive());
    String before = json(plan.hardened());
    assertThat(json(HardeningReverter.revert(plan.hardened(), null).reverted())).isEqualTo(before);
    HardeningReverter.revert(plan.hardened(), plan.changes());
    assertThat(json(plan.hardened())).isEqualTo(before);
  }
}
