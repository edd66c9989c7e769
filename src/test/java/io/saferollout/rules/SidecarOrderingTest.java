package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.K8S_1_28;
import static io.saferollout.rules.Fixtures.K8S_1_29;
import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static io.saferollout.rules.Fixtures.naive;
import static io.saferollout.rules.Fixtures.naiveBuilder;
import static io.saferollout.rules.Fixtures.plan;
import static io.saferollout.rules.Fixtures.sidecars;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import io.saferollout.api.SidecarMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarOrderingTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String PROXY_CONFIG = "proxy.istio.io/config";

  private static Container sqlProxy() {
    return new ContainerBuilder()
        .withName("sql")
        .withImage("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11")
        .addNewPort()
        .withContainerPort(5432)
        .endPort()
        .build();
  }

  private static Deployment withSqlProxy() {
    return naiveBuilder()
        .editSpec()
        .editTemplate()
        .editSpec()
        .addNewInitContainer()
        .withName("migrate")
        .withImage("example/migrate:1")
        .endInitContainer()
        .addToContainers(sqlProxy())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Deployment annotated(Map<String, String> annotations) {
    return naiveBuilder()
        .editSpec()
        .editTemplate()
        .editMetadata()
        .addToAnnotations(annotations)
        .endMetadata()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Map<String, String> annotations(HardeningPlan plan) {
    return plan.hardened().getSpec().getTemplate().getMetadata().getAnnotations();
  }

  private static JsonNode proxyConfig(HardeningPlan plan) throws Exception {
    return YAML.readTree(annotations(plan).get(PROXY_CONFIG));
  }

  @Test
  void autoMovesSidecarsToNativeSidecarsAfterTheInitContainers() {
    HardeningPlan plan = plan(withSqlProxy(), sidecars(SidecarMode.Auto), K8S_1_29);
    PodSpec pod = plan.hardened().getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("web");
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("migrate", "sql");
    Container sidecar = pod.getInitContainers().get(1);
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getImage()).isEqualTo(sqlProxy().getImage());
    assertThat(changesFor(plan, Rule.SR004))
        .extracting(Change::path)
        .containsExactly(
            "spec.template.spec.containers[sql]", "spec.template.spec.initContainers[sql]");
    assertThat(changesFor(plan, Rule.SR004).get(0).newValue()).isNull();
  }

  @Test
  void withoutNativeSidecarsTheOrderIsOnlyReported() {
    for (SidecarMode mode : new SidecarMode[] {SidecarMode.Auto, SidecarMode.Native}) {
      HardeningPlan plan = plan(withSqlProxy(), sidecars(mode), K8S_1_28);
      assertThat(changesFor(plan, Rule.SR004)).isEmpty();
      assertThat(plan.hardened().getSpec().getTemplate().getSpec().getContainers()).hasSize(2);
      assertThat(findingsFor(plan, Rule.SR004))
          .singleElement()
          .satisfies(f -> assertThat(f.message()).contains("1.28").contains("no native sidecars"));
    }
  }

  @Test
  void noneLeavesSidecarsAlone() {
    HardeningPlan plan = plan(withSqlProxy(), sidecars(SidecarMode.None), K8S_1_29);
    assertThat(changesFor(plan, Rule.SR004)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR004)).isEmpty();
  }

  @Test
  void withoutSidecarsOrMeshAutoDoesNothing() {
    HardeningPlan plan = plan(naive(), sidecars(SidecarMode.Auto), K8S_1_28);
    assertThat(changesFor(plan, Rule.SR004)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR004)).isEmpty();
  }

  @Test
  void anInitContainerWithTheSidecarsNameBlocksTheMove() {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addNewInitContainer()
            .withName("sql")
            .withImage("example/schema:1")
            .endInitContainer()
            .addToContainers(sqlProxy())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, sidecars(SidecarMode.Native));
    assertThat(changesFor(plan, Rule.SR004)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR004))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("same name"));
  }

  @Test
  void istioInjectionHoldsTheApplicationAndKeepsTheProxyUpWhileItDrains() throws Exception {
    HardeningPlan plan =
        plan(
            annotated(Map.of("sidecar.istio.io/inject", "true")),
            sidecars(SidecarMode.Auto),
            K8S_1_28);
    JsonNode config = proxyConfig(plan);
    assertThat(config.get("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
    assertThat(config.get("terminationDrainDuration").asText()).isEqualTo("25s");
    assertThat(changesFor(plan, Rule.SR004))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path())
                  .isEqualTo("spec.template.metadata.annotations[proxy.istio.io/config]");
              assertThat(c.oldValue()).isNull();
            });
  }

  @Test
  void istioConfigIsMergedKeepingTheUsersKeysAndFormat() throws Exception {
    HardeningPlan yaml =
        plan(
            annotated(
                Map.of(
                    PROXY_CONFIG,
                    "concurrency: 2\nproxyMetadata:\n  FOO: bar\n",
                    "sidecar.istio.io/inject",
                    "true")),
            sidecars(SidecarMode.Auto));
    JsonNode merged = proxyConfig(yaml);
    assertThat(merged.get("concurrency").asInt()).isEqualTo(2);
    assertThat(merged.at("/proxyMetadata/FOO").asText()).isEqualTo("bar");
    assertThat(merged.get("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
    assertThat(annotations(yaml).get(PROXY_CONFIG)).doesNotStartWith("{");

    HardeningPlan json =
        plan(
            annotated(Map.of(PROXY_CONFIG, "{\"terminationDrainDuration\": \"60s\"}")),
            sidecars(SidecarMode.Istio));
    assertThat(annotations(json).get(PROXY_CONFIG))
        .as("the user's text is kept byte for byte; only the absent key is added")
        .isEqualTo(
            "{\"terminationDrainDuration\": \"60s\",\"holdApplicationUntilProxyStarts\":true}");
    assertThat(annotations(yaml).get(PROXY_CONFIG))
        .startsWith("concurrency: 2\nproxyMetadata:\n  FOO: bar\n");
  }

  @Test
  void anIstioProxyContainerInTheTemplateMeansIstio() throws Exception {
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addToContainers(
                new ContainerBuilder()
                    .withName("istio-proxy")
                    .withImage("istio/proxyv2:1.22")
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    HardeningPlan plan = plan(d, sidecars(SidecarMode.Auto), K8S_1_29);
    assertThat(proxyConfig(plan).get("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getContainers()).hasSize(2);
  }

  @Test
  void aUsersHoldFalseIsReportedAndKeptEvenInEnforce() throws Exception {
    Deployment d = annotated(Map.of(PROXY_CONFIG, "holdApplicationUntilProxyStarts: false\n"));
    HardeningPlan fill = plan(d, sidecars(SidecarMode.Istio));
    assertThat(proxyConfig(fill).get("holdApplicationUntilProxyStarts").asBoolean()).isFalse();
    assertThat(findingsFor(fill, Rule.SR004)).hasSize(1);

    // Rewriting the user's annotation would be undone by their next sync: a rollout every sync.
    HardeningPlan enforce = plan(d, sidecars(SidecarMode.Istio).withMode(Mode.Enforce));
    assertThat(proxyConfig(enforce).get("holdApplicationUntilProxyStarts").asBoolean()).isFalse();
    assertThat(annotations(enforce).get(PROXY_CONFIG))
        .startsWith("holdApplicationUntilProxyStarts: false\n");
    assertThat(findingsFor(enforce, Rule.SR004)).hasSize(1);
  }

  @Test
  void anUnreadableIstioConfigIsReportedNotClobbered() {
    Deployment d = annotated(Map.of(PROXY_CONFIG, "[not: a mapping"));
    HardeningPlan plan = plan(d, sidecars(SidecarMode.Istio).withMode(Mode.Enforce));
    assertThat(annotations(plan).get(PROXY_CONFIG)).isEqualTo("[not: a mapping");
    assertThat(findingsFor(plan, Rule.SR004))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("not a YAML mapping"));
  }

  @Test
  void linkerdWaitsForItsProxyAndKeepsItUpWhileTheApplicationDrains() {
    HardeningPlan plan =
        plan(annotated(Map.of("linkerd.io/inject", "enabled")), sidecars(SidecarMode.Auto));
    assertThat(annotations(plan))
        .containsEntry("config.linkerd.io/proxy-await", "enabled")
        .containsEntry("config.alpha.linkerd.io/proxy-wait-before-exit-seconds", "25");
  }

  @Test
  void aUsersLinkerdSettingsAreKeptInFillMissing() {
    Deployment d =
        annotated(
            Map.of(
                "linkerd.io/inject",
                "enabled",
                "config.linkerd.io/proxy-await",
                "disabled",
                "config.alpha.linkerd.io/proxy-wait-before-exit-seconds",
                "40"));
    HardeningPlan plan = plan(d, sidecars(SidecarMode.Auto));
    assertThat(annotations(plan))
        .containsEntry("config.linkerd.io/proxy-await", "disabled")
        .containsEntry("config.alpha.linkerd.io/proxy-wait-before-exit-seconds", "40");
    assertThat(findingsFor(plan, Rule.SR004))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.path())
                    .isEqualTo(
                        "spec.template.metadata.annotations[config.linkerd.io/proxy-await]"));
    HardeningPlan enforce = plan(d, sidecars(SidecarMode.Auto).withMode(Mode.Enforce));
    assertThat(annotations(enforce))
        .containsEntry("config.linkerd.io/proxy-await", "enabled")
        .containsEntry("config.alpha.linkerd.io/proxy-wait-before-exit-seconds", "40");
  }

  @Test
  void recognisesWellKnownProxies() {
    assertThat(PodContainers.isProxyImage("envoyproxy/envoy:v1.30.1")).isTrue();
    assertThat(PodContainers.isProxyImage("docker.io/istio/proxyv2:1.22.0")).isTrue();
    assertThat(PodContainers.isProxyImage("cr.l5d.io/linkerd/proxy:stable-2.14")).isTrue();
    assertThat(PodContainers.isProxyImage("gcr.io/cloud-sql-connectors/cloud-sql-proxy@sha256:abc"))
        .isTrue();
    assertThat(PodContainers.isProxyImage("registry:5000/team/web:1.0")).isFalse();
    assertThat(PodContainers.isProxyImage("nginx")).isFalse();
    assertThat(PodContainers.isProxyImage(null)).isFalse();
  }

  @Test
  void aPodOfProxiesOnlyIsItselfTheApplication() {
    Deployment envoy =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withName("envoy")
            .withImage("envoyproxy/envoy:v1.30")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    PodContainers roles = PodContainers.of(envoy.getSpec().getTemplate());
    assertThat(roles.serving()).extracting(Container::getName).containsExactly("envoy");
    assertThat(roles.sidecars()).isEmpty();
    HardeningPlan plan = plan(envoy, sidecars(SidecarMode.Auto));
    assertThat(changesFor(plan, Rule.SR004)).isEmpty();
    assertThat(changesFor(plan, Rule.SR005)).hasSize(1);
  }

  private static HardeningPlan live(
      Deployment d,
      SidecarMode mode,
      Map<String, String> nsLabels,
      Map<String, String> nsAnnotations) {
    return DeploymentHardener.plan(
        d,
        sidecars(mode),
        K8S_1_29,
        new LiveTarget(java.util.Set.of(), java.util.List.of(), nsLabels, nsAnnotations),
        null);
  }

  @Test
  void inALiveObjectAutoOnlyReportsTheMoveBecauseTheNextSyncWouldUndoIt() {
    HardeningPlan plan = live(withSqlProxy(), SidecarMode.Auto, Map.of(), Map.of());
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("web", "sql");
    assertThat(changesFor(plan, Rule.SR004)).isEmpty();
    assertThat(findingsFor(plan, Rule.SR004))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.remedy()).contains("saferollout harden").contains("sidecars: Native"));
  }

  @Test
  void inALiveObjectNativeAskedForExplicitlyMovesTheSidecar() {
    HardeningPlan plan = live(withSqlProxy(), SidecarMode.Native, Map.of(), Map.of());
    assertThat(plan.hardened().getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("migrate", "sql");
    assertThat(plan.removesFields()).as("taking it out of containers is a JSON patch").isTrue();
  }

  @Test
  void istioInjectionOnTheNamespaceMeansIstio() {
    for (Map<String, String> labels :
        java.util.List.of(Map.of("istio-injection", "enabled"), Map.of("istio.io/rev", "1-22-3"))) {
      HardeningPlan plan = live(naive(), SidecarMode.Auto, labels, Map.of());
      assertThat(annotations(plan)).as("%s", labels).containsKey(PROXY_CONFIG);
    }
    Deployment optedOut =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editMetadata()
            .addToLabels("sidecar.istio.io/inject", "false")
            .endMetadata()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(
            live(optedOut, SidecarMode.Auto, Map.of("istio-injection", "enabled"), Map.of())
                .hardened()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .as("the pod opts out")
        .isNullOrEmpty();
    assertThat(
            live(naive(), SidecarMode.Auto, Map.of("istio-injection", "disabled"), Map.of())
                .hardened()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();
  }

  @Test
  void linkerdInjectionOnTheNamespaceMeansLinkerd() {
    HardeningPlan plan =
        live(naive(), SidecarMode.Auto, Map.of(), Map.of("linkerd.io/inject", "enabled"));
    assertThat(annotations(plan)).containsEntry(SidecarOrdering.LINKERD_PROXY_AWAIT, "enabled");
    Deployment disabled = annotated(Map.of("linkerd.io/inject", "disabled"));
    assertThat(
            annotations(
                live(disabled, SidecarMode.Auto, Map.of(), Map.of("linkerd.io/inject", "enabled"))))
        .doesNotContainKey(SidecarOrdering.LINKERD_PROXY_AWAIT);
  }

  @Test
  void anApplicationWhoseImageEndsInProxyIsNotASidecar() {
    assertThat(PodContainers.isProxyImage("example/api-proxy:2.0")).isFalse();
    assertThat(PodContainers.isProxyImage("registry.example.com/team/oauth2-proxy:v7")).isFalse();
    assertThat(PodContainers.isProxyImage("gcr.io/cloudsql-docker/gce-proxy:1.33")).isTrue();
    Deployment d =
        naiveBuilder()
            .editSpec()
            .editTemplate()
            .editSpec()
            .addToContainers(
                new ContainerBuilder()
                    .withName("auth")
                    .withImage("quay.io/oauth2-proxy/oauth2-proxy:v7.6.0")
                    .addNewPort()
                    .withContainerPort(4180)
                    .endPort()
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    assertThat(PodContainers.of(d.getSpec().getTemplate()).serving())
        .extracting(Container::getName)
        .containsExactly("web", "auth");
  }
}
