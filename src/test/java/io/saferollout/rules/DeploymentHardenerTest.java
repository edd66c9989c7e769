package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.K8S_1_28;
import static io.saferollout.rules.Fixtures.K8S_1_29;
import static io.saferollout.rules.Fixtures.K8S_1_34;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.policy;
import static io.saferollout.rules.Fixtures.withPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeploymentHardenerTest {
  /** Deployments covering every rule's both ways: gaps, user values, sidecars, meshes. */
  static Map<String, Deployment> fixtures() {
    Map<String, Deployment> all = new java.util.LinkedHashMap<>();
    all.put("naive", naive());
    all.put(
        "sql sidecar",
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addNewInitContainer()
            .withName("migrate")
            .withImage("example/migrate:1")
            .endInitContainer()
            .addToContainers(
                new ContainerBuilder()
                    .withName("sql")
                    .withImage("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2")
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    all.put(
        "istio",
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToLabels("sidecar.istio.io/inject", "true")
            .addToAnnotations("proxy.istio.io/config", "concurrency: 2\n")
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build());
    all.put(
        "linkerd",
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToAnnotations("linkerd.io/inject", "enabled")
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build());
    all.put("unsafe user values", unsafe());
    all.put(
        "recreate",
        naiveBuilder()
            .editSpec()
            .withNewStrategy()
            .withType("Recreate")
            .endStrategy()
            .endSpec()
            .build());
    all.put(
        "two serving containers",
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addToContainers(
                new ContainerBuilder()
                    .withName("admin")
                    .withImage("example/admin:1")
                    .addNewPort()
                    .withContainerPort(9090)
                    .endPort()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    return all;
  }

  /**
   * A Deployment whose author set unsafe values: Enforce corrects them, FillMissing reports them.
   */
  static Deployment unsafe() {
    return naiveBuilder()
        .editSpec()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .withMaxSurge(new IntOrString(0))
        .endRollingUpdate()
        .endStrategy()
        .editTemplate()
        .editSpec()
        .withTerminationGracePeriodSeconds(10L)
        .editFirstContainer()
        .withNewLifecycle()
        .withPreStop(
            new LifecycleHandlerBuilder()
                .withNewExec()
                .withCommand("sh", "-c", "sleep 5")
                .endExec()
                .build())
        .endLifecycle()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static Stream<Arguments> everyCombination() {
    List<Arguments> all = new ArrayList<>();
    for (Map.Entry<String, Deployment> fixture : fixtures().entrySet()) {
      for (Mode mode : Mode.values()) {
        for (ClusterCapabilities caps : List.of(K8S_1_28, K8S_1_29, K8S_1_34)) {
          all.add(Arguments.of(fixture.getKey(), fixture.getValue(), mode, caps));
        }
      }
    }
    return all.stream();
  }

  private static String json(Object o) {
    return Serialization.asJson(o);
  }

  @Test
  void theArticlesNaiveDeploymentGetsEveryZeroDowntimeSetting() {
    HardeningPlan plan = plan(naive(), withPath(Mode.FillMissing));
    Deployment d = plan.hardened();
    Container web = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(web.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(web.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(15L);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
        .isEqualTo(new IntOrString(0));
    assertThat(d.getSpec().getMinReadySeconds()).isEqualTo(5);
    assertThat(plan.changesNothing()).isFalse();
    assertThat(plan.findings()).extracting(Finding::rule).containsExactlyInAnyOrder(Rule.SR018);
  }

  @ParameterizedTest(name = "{0}, {2}, {3}")
  @MethodSource("everyCombination")
  void planningTheHardenedDeploymentAgainChangesNothing(
      String name, Deployment d, Mode mode, ClusterCapabilities caps) {
    HardeningPolicy policy = withPath(mode);
    HardeningPlan first = DeploymentHardener.plan(d, policy, caps, Set.of(), null);
    Set<String> owned = first.changes().stream().map(Change::path).collect(Collectors.toSet());

    HardeningPlan again = DeploymentHardener.plan(first.hardened(), policy, caps, Set.of(), null);
    HardeningPlan againOwned = DeploymentHardener.plan(first.hardened(), policy, caps, owned, null);
    assertThat(again.changes()).as("without owned paths").isEmpty();
    assertThat(againOwned.changes()).as("with owned paths").isEmpty();
    assertThat(again.changesNothing()).isTrue();
  }

  @ParameterizedTest(name = "{0}, {2}, {3}")
  @MethodSource("everyCombination")
  void replayingTheChangesOnTheOriginalGivesTheHardenedDeployment(
      String name, Deployment d, Mode mode, ClusterCapabilities caps) {
    HardeningPlan plan = DeploymentHardener.plan(d, withPath(mode), caps, Set.of(), null);
    assertThat(json(plan.applyTo(d))).isEqualTo(json(plan.hardened()));
  }

  @ParameterizedTest(name = "{0}, {2}, {3}")
  @MethodSource("everyCombination")
  void neverMutatesItsInput(String name, Deployment d, Mode mode, ClusterCapabilities caps) {
    String before = json(d);
    DeploymentHardener.plan(d, withPath(mode), caps, Set.of(), List.of());
    assertThat(json(d)).isEqualTo(before);
  }

  @Test
  void auditListsExactlyTheChangesFillMissingWouldMake() {
    for (Deployment d : fixtures().values()) {
      HardeningPlan fill = plan(d, policy(Mode.FillMissing));
      HardeningPlan audit = plan(d, policy(Mode.Audit));
      assertThat(audit.changes()).isEqualTo(fill.changes());
      assertThat(audit.findings()).isEqualTo(fill.findings());
    }
  }

  @Test
  void enforceCorrectsWhatFillMissingOnlyReports() {
    HardeningPlan fill = plan(unsafe(), policy(Mode.FillMissing));
    assertThat(fill.findings())
        .extracting(Finding::rule)
        .contains(Rule.SR007, Rule.SR009, Rule.SR012);
    assertThat(fill.changes())
        .extracting(Change::rule)
        .doesNotContain(Rule.SR009, Rule.SR012, Rule.SR013);

    HardeningPlan enforce = plan(unsafe(), policy(Mode.Enforce));
    assertThat(enforce.changes())
        .extracting(Change::rule)
        .contains(Rule.SR009, Rule.SR012, Rule.SR013);
    assertThat(enforce.findings())
        .extracting(Finding::rule)
        .doesNotContain(Rule.SR009, Rule.SR012)
        .as("the user's own preStop is kept and still reported")
        .contains(Rule.SR007);
    assertThat(
            enforce
                .hardened()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop())
        .isEqualTo(
            unsafe()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop());
  }

  @Test
  void everyServingContainerIsHardened() {
    HardeningPlan plan = plan(fixtures().get("two serving containers"), withPath(Mode.FillMissing));
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getContainers())
        .allSatisfy(
            c -> {
              assertThat(c.getReadinessProbe()).isNotNull();
              assertThat(c.getLifecycle().getPreStop()).isNotNull();
            });
  }

  @Test
  void aHardenedDeploymentIsLeftAsItIs() {
    Deployment done =
        naiveBuilder()
            .editSpec()
            .withMinReadySeconds(5)
            .withNewStrategy()
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withReadinessProbe(
                new ProbeBuilder()
                    .withNewHttpGet()
                    .withPath("/ready")
                    .withNewPort("http")
                    .endHttpGet()
                    .build())
            .withNewLifecycle()
            .withPreStop(
                new LifecycleHandlerBuilder().withNewSleep().withSeconds(20L).endSleep().build())
            .endLifecycle()
            .endContainer()
            .withTerminationGracePeriodSeconds(45L)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(done, withPath(Mode.Enforce));
    assertThat(plan.changesNothing()).isTrue();
    assertThat(json(plan.hardened())).isEqualTo(json(done));
  }

  @Test
  void aSparseDeploymentIsPlannedWithoutSurprises() {
    Deployment sparse =
        new DeploymentBuilder()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(sparse, withPath(Mode.Enforce));
    assertThat(plan.findings()).extracting(Finding::rule).contains(Rule.SR001, Rule.SR015);
    assertThat(
            plan.hardened()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop())
        .isNotNull();
    assertThat(json(plan.applyTo(sparse))).isEqualTo(json(plan.hardened()));
  }

  @Test
  void malformedDeploymentsAreRejectedWithAClearMessage() {
    Deployment noTemplate =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("x")
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .build();
    assertThatThrownBy(() -> plan(noTemplate))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Deployment x has no spec.template.spec");
    Deployment noContainers =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .withContainers()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThatThrownBy(() -> plan(noContainers)).hasMessageContaining("has no containers");
    Deployment unnamed =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withName(null)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThatThrownBy(() -> plan(unnamed)).hasMessageContaining("container without a name");
  }
}
