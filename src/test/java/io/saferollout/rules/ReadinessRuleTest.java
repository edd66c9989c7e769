package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.withPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import io.saferollout.api.SafeRolloutSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReadinessRuleTest {
  private static final Probe USER_PROBE =
      new ProbeBuilder()
          .withNewHttpGet()
          .withPath("/ready")
          .withPort(new IntOrString("http"))
          .endHttpGet()
          .withPeriodSeconds(2)
          .build();

  private static Container web(Deployment d) {
    return container(d, "web");
  }

  private static Container container(Deployment d, String name) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static HardeningPolicy withPort(IntOrString port) {
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getReadinessProbe().setPath("/healthz");
    spec.getReadinessProbe().setPort(port);
    return HardeningPolicy.from(spec);
  }

  @Test
  void addsTheHttpProbeThePolicyDescribes() {
    HardeningPlan plan = plan(naive(), withPath(Mode.FillMissing));
    Probe probe = web(plan.hardened()).getReadinessProbe();
    assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString(8080));
    assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
    assertThat(probe.getPeriodSeconds()).isEqualTo(5);
    assertThat(probe.getFailureThreshold()).isEqualTo(3);
    assertThat(changesFor(plan, Rule.SR001))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path()).isEqualTo("spec.template.spec.containers[web].readinessProbe");
              assertThat(c.oldValue()).isNull();
              assertThat(c.newValue()).contains("\"path\":\"/healthz\"");
            });
    assertThat(findingsFor(plan, Rule.SR002)).isEmpty();
  }

  @Test
  void withoutAPathFallsBackToTcpAndSaysWhatThatMisses() {
    HardeningPlan plan = plan(naive());
    Probe probe = web(plan.hardened()).getReadinessProbe();
    assertThat(probe.getHttpGet()).isNull();
    assertThat(probe.getTcpSocket().getPort()).isEqualTo(new IntOrString(8080));
    assertThat(findingsFor(plan, Rule.SR002))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void keepsTheUsersProbeInEveryMode(Mode mode) {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withReadinessProbe(USER_PROBE)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, withPath(mode));
    assertThat(changesFor(plan, Rule.SR001)).isEmpty();
    assertThat(web(plan.hardened()).getReadinessProbe()).isEqualTo(USER_PROBE);
  }

  @Test
  void probesTheFirstDeclaredPortByDefault() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withPorts()
            .addNewPort()
            .withName("admin")
            .withContainerPort(9090)
            .endPort()
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(
            web(plan(d, withPath(Mode.FillMissing)).hardened())
                .getReadinessProbe()
                .getHttpGet()
                .getPort())
        .isEqualTo(new IntOrString(9090));
  }

  @Test
  void resolvesANamedPortOfTheSpecToItsNumber() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .addNewPort()
            .withName("health")
            .withContainerPort(8081)
            .endPort()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, withPort(new IntOrString("health")));
    assertThat(web(plan.hardened()).getReadinessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString(8081));
  }

  @Test
  void usesANumericSpecPortAsGiven() {
    HardeningPlan plan = plan(naive(), withPort(new IntOrString(9000)));
    assertThat(web(plan.hardened()).getReadinessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString(9000));
  }

  @Test
  void aSpecPortNameTheContainerLacksIsAFindingNotAProbe() {
    HardeningPlan plan = plan(naive(), withPort(new IntOrString("health")));
    assertThat(web(plan.hardened()).getReadinessProbe()).isNull();
    assertThat(changesFor(plan, Rule.SR001)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR001))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("no port named 'health'"));
  }

  @Test
  void theOnlyContainerServesEvenWithoutPortsButCannotBeProbedWithoutOne() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withPorts()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, withPath(Mode.FillMissing));
    assertThat(web(plan.hardened()).getReadinessProbe()).isNull();
    assertThat(findingsFor(plan, Rule.SR001))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("declares no port"));
    assertThat(web(plan.hardened()).getLifecycle().getPreStop())
        .as("it still serves, so it still waits")
        .isNotNull();
  }

  @Test
  void aContainerWithoutPortsNextToAServingOneIsLeftAlone() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addToContainers(
                new ContainerBuilder().withName("log-shipper").withImage("fluent-bit:3").build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, withPath(Mode.FillMissing));
    assertThat(container(plan.hardened(), "log-shipper")).isEqualTo(container(d, "log-shipper"));
    assertThat(web(plan.hardened()).getReadinessProbe()).isNotNull();
  }

  @Test
  void sidecarsGetNoProbeButAFinding() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addToContainers(
                new ContainerBuilder()
                    .withName("istio-proxy")
                    .withImage("istio/proxyv2:1.22")
                    .addNewPort()
                    .withContainerPort(15090)
                    .endPort()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, withPath(Mode.FillMissing));
    assertThat(container(plan.hardened(), "istio-proxy").getReadinessProbe()).isNull();
    assertThat(findingsFor(plan, Rule.SR003))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.path())
                    .isEqualTo("spec.template.spec.containers[istio-proxy].readinessProbe"));
  }

  @Test
  void theSidecarAnnotationNamesSidecarsDetectionWouldMiss() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToAnnotations(PodContainers.SIDECARS_ANNOTATION, "agent")
            .endMetadata()
            .editSpec()
            .addToContainers(
                new ContainerBuilder()
                    .withName("agent")
                    .withImage("example/agent:1")
                    .addNewPort()
                    .withContainerPort(7000)
                    .endPort()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan =
        plan(d, withPath(Mode.FillMissing).withSidecars(io.saferollout.api.SidecarMode.None));
    assertThat(container(plan.hardened(), "agent").getReadinessProbe()).isNull();
    assertThat(container(plan.hardened(), "agent").getLifecycle()).isNull();
    assertThat(findingsFor(plan, Rule.SR003))
        .extracting(Finding::path)
        .containsExactly("spec.template.spec.containers[agent].readinessProbe");
  }

  @Test
  void readinessIdenticalToLivenessIsReported() {
    Deployment same =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withReadinessProbe(USER_PROBE)
            .withLivenessProbe(USER_PROBE)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Deployment tolerant =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withReadinessProbe(USER_PROBE)
            .withLivenessProbe(new ProbeBuilder(USER_PROBE).withFailureThreshold(10).build())
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(findingsFor(plan(same), Rule.SR017)).hasSize(1);
    assertThat(findingsFor(plan(tolerant), Rule.SR017)).isEmpty();
  }

  @Test
  void aProbeSafeRolloutAddedFollowsThePolicyWhenItChanges() {
    HardeningPlan first = plan(naive(), withPath(Mode.FillMissing));
    Set<String> owned = Set.of("spec.template.spec.containers[web].readinessProbe");
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.getReadinessProbe().setPath("/ready");
    HardeningPlan second =
        DeploymentHardener.plan(
            first.hardened(), HardeningPolicy.from(spec), ClusterCapabilities.LATEST, owned, null);
    assertThat(changesFor(second, Rule.SR001))
        .singleElement()
        .satisfies(c -> assertThat(c.oldValue()).contains("/healthz"));
    assertThat(web(second.hardened()).getReadinessProbe().getHttpGet().getPath())
        .isEqualTo("/ready");

    HardeningPlan unowned =
        DeploymentHardener.plan(
            first.hardened(),
            HardeningPolicy.from(spec),
            ClusterCapabilities.LATEST,
            Set.of(),
            null);
    assertThat(changesFor(unowned, Rule.SR001))
        .as("without ownership it is the user's probe")
        .isEmpty();
  }
}
