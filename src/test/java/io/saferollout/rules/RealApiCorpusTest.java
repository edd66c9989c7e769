package io.saferollout.rules;

import static io.saferollout.rules.Fixtures.K8S_1_28;
import static io.saferollout.rules.Fixtures.K8S_1_34;
import static io.saferollout.rules.Fixtures.changesFor;
import static io.saferollout.rules.Fixtures.findingsFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule against Deployments as real API servers return them (see {@link RealApiCorpus}): with
 * managedFields for Apply and Update managers, defaulted fields, values normalized. Each fixture
 * has the behaviour it pins down; every fixture must also pass the invariants below in every mode.
 */
class RealApiCorpusTest {
  private static final List<Mode> MODES = List.of(Mode.FillMissing, Mode.Enforce, Mode.Audit);
  private static final List<ClusterCapabilities> CLUSTERS = List.of(K8S_1_28, K8S_1_34);
  private static final String ISTIO_CONFIG = "proxy.istio.io/config";

  private static final Map<String, Consumer<HardeningPlan>> EXPECTED =
      Map.ofEntries(
          Map.entry(
              "kubectl-client-side-apply",
              plan -> {
                // The Update manager owns the defaulted 25% but never sent it (last-applied has no
                // strategy).
                assertThat(changesFor(plan, Rule.SR012))
                    .singleElement()
                    .satisfies(c -> assertThat(c.oldValue()).isEqualTo("\"25%\""));
                assertThat(findingsFor(plan, Rule.SR012)).isEmpty();
                assertThat(changesFor(plan, Rule.SR009))
                    .as("the defaulted 30 s covers 15 + 10 + 5")
                    .isEmpty();
              }),
          Map.entry(
              "kubectl-client-side-apply-explicit-defaults",
              plan -> {
                assertThat(maxUnavailable(plan))
                    .as("sent by the user, per last-applied")
                    .isEqualTo(new IntOrString("25%"));
                assertThat(findingsFor(plan, Rule.SR012)).hasSize(1);
              }),
          Map.entry(
              "kubectl-server-side-apply",
              plan -> {
                assertThat(maxUnavailable(plan))
                    .as("owned by an Apply manager: chosen")
                    .isEqualTo(new IntOrString("25%"));
                assertThat(findingsFor(plan, Rule.SR012)).hasSize(1);
                assertThat(changesFor(plan, Rule.SR001)).as("the user's probe is kept").isEmpty();
                assertThat(changesFor(plan, Rule.SR013))
                    .as("the defaulted maxSurge is what the policy wants")
                    .isEmpty();
              }),
          Map.entry(
              "helm-install",
              plan -> {
                assertThat(maxUnavailable(plan))
                    .as("Helm owns the default, never chose it")
                    .isEqualTo(new IntOrString(0));
                assertThat(changesFor(plan, Rule.SR001)).isEmpty();
                assertThat(changesFor(plan, Rule.SR005)).hasSize(1);
              }),
          Map.entry(
              "helm-upgrade",
              plan -> {
                assertThat(changesFor(plan, Rule.SR012)).isEmpty();
                assertThat(changesFor(plan, Rule.SR013)).isEmpty();
                assertThat(changesFor(plan, Rule.SR005))
                    .as("the chart's own hook is kept")
                    .isEmpty();
                assertThat(findingsFor(plan, Rule.SR007))
                    .singleElement()
                    .satisfies(f -> assertThat(f.message()).contains("waits 5 s"));
                assertThat(plan.hardened().getSpec().getReplicas()).as("the HPA's").isEqualTo(5);
              }),
          Map.entry(
              "argocd-client-side-sync",
              plan -> {
                String config = templateAnnotations(plan).get(ISTIO_CONFIG);
                assertThat(config)
                    .as("the team's text, byte for byte, then the absent key")
                    .isEqualTo(
                        "terminationDrainDuration: 30s\nholdApplicationUntilProxyStarts: true\n");
                assertThat(maxUnavailable(plan)).isEqualTo(new IntOrString(0));
              }),
          Map.entry(
              "argocd-server-side-sync",
              plan -> {
                assertThat(containerNames(plan))
                    .containsExactly("orders", "cloud-sql-proxy", "metrics-proxy");
                assertThat(plan.hardened().getSpec().getTemplate().getSpec().getInitContainers())
                    .isNullOrEmpty();
                assertThat(findingsFor(plan, Rule.SR004))
                    .singleElement()
                    .satisfies(
                        f -> {
                          assertThat(f.path())
                              .isEqualTo("spec.template.spec.containers[cloud-sql-proxy]");
                          assertThat(f.remedy()).contains("saferollout harden");
                        });
                assertThat(changesFor(plan, Rule.SR005))
                    .extracting(Change::path)
                    .as("an exporter named *-proxy still serves")
                    .contains("spec.template.spec.containers[metrics-proxy].lifecycle.preStop");
              }),
          Map.entry(
              "flux-kustomize-controller",
              plan -> {
                assertThat(templateAnnotations(plan).get(ISTIO_CONFIG))
                    .as("Istio injection from the namespace label")
                    .contains("holdApplicationUntilProxyStarts: true");
              }),
          Map.entry(
              "flux-helm-controller",
              plan -> {
                assertThat(templateAnnotations(plan))
                    .as("Linkerd injection from the namespace annotation")
                    .containsEntry(SidecarOrdering.LINKERD_PROXY_AWAIT, "enabled");
                assertThat(changesFor(plan, Rule.SR001))
                    .as("the chart's exec probe is kept")
                    .isEmpty();
                assertThat(maxUnavailable(plan)).isEqualTo(new IntOrString(0));
              }),
          Map.entry(
              "saferollout-hardened",
              plan -> {
                // Planned with no record here: the values are present, so nothing is added twice.
                assertThat(changesFor(plan, Rule.SR001)).isEmpty();
                assertThat(changesFor(plan, Rule.SR005)).isEmpty();
                assertThat(changesFor(plan, Rule.SR014)).isEmpty();
              }),
          Map.entry(
              "saferollout-hardened-then-kubectl-edit",
              plan -> {
                assertThat(
                        plan.hardened()
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getReadinessProbe()
                            .getExec()
                            .getCommand())
                    .containsExactly("/app/bin/ready");
                assertThat(changesFor(plan, Rule.SR001)).isEmpty();
              }));

  static Stream<String> fixtures() {
    return RealApiCorpus.FIXTURES.stream();
  }

  static Stream<Arguments> fixturesModesAndClusters() {
    List<Arguments> all = new ArrayList<>();
    for (String fixture : RealApiCorpus.FIXTURES) {
      for (Mode mode : MODES) {
        for (ClusterCapabilities caps : CLUSTERS) {
          all.add(Arguments.of(fixture, mode, caps));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void eachFixturePlansAsARealClusterNeeds(String fixture) {
    RealApiCorpus corpus = RealApiCorpus.load(fixture);
    HardeningPlan plan =
        DeploymentHardener.plan(
            corpus.deployment(),
            HardeningPolicy.defaults(),
            ClusterCapabilities.LATEST,
            corpus.live(),
            null);
    assertThat(EXPECTED).as("every fixture states what it pins down").containsKey(fixture);
    EXPECTED.get(fixture).accept(plan);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("fixturesModesAndClusters")
  void everyRuleKeepsItsPromisesOnEveryFixture(
      String fixture, Mode mode, ClusterCapabilities caps) {
    RealApiCorpus corpus = RealApiCorpus.load(fixture);
    Deployment live = corpus.deployment();
    HardeningPolicy policy = HardeningPolicy.defaults().withMode(mode);
    HardeningPlan plan = DeploymentHardener.plan(live, policy, caps, corpus.live(), null);
    FieldOwnership owners = FieldOwnership.of(live);

    // Replaying the plan's changes on the live object gives the plan's result.
    assertThat(ManifestJson.tree(plan.applyTo(live))).isEqualTo(ManifestJson.tree(plan.hardened()));

    // A steady state writes nothing: planning the result again, knowing what was set, changes
    // nothing.
    Set<String> owned = plan.changes().stream().map(Change::path).collect(Collectors.toSet());
    HardeningPlan again =
        DeploymentHardener.plan(
            plan.hardened(), policy, caps, corpus.live(owned, plan.changes()), null);
    assertThat(again.changes()).as("second plan").isEmpty();

    // Never fight an Apply manager outside Enforce: what it applied is the user's choice.
    if (mode != Mode.Enforce) {
      for (Change c : plan.changes()) {
        assertThat(c.before() == null || !owners.isAppliedByOtherThan("saferollout", c.field()))
            .as("%s changes %s, which an Apply manager set", fixture, c.path())
            .isTrue();
      }
    }

    // Containers stay in their lists: moving one is undone by the next sync (sidecars: Auto).
    assertThat(containerNames(plan))
        .isEqualTo(
            live.getSpec().getTemplate().getSpec().getContainers().stream()
                .map(Container::getName)
                .toList());

    // Every probe and hook has one handler; untouched fields keep their values and types.
    JsonNode before = ManifestJson.tree(live);
    JsonNode after = ManifestJson.tree(plan.hardened());
    for (JsonNode container : after.at("/spec/template/spec/containers")) {
      assertThat(handlers(container.path("readinessProbe"), "exec", "httpGet", "tcpSocket", "grpc"))
          .isLessThanOrEqualTo(1);
      assertThat(
              handlers(container.at("/lifecycle/preStop"), "exec", "httpGet", "tcpSocket", "sleep"))
          .isLessThanOrEqualTo(1);
    }
    for (String pointer :
        List.of(
            "/spec/replicas",
            "/spec/selector",
            "/metadata/labels",
            "/spec/template/metadata/labels",
            "/spec/template/spec/containers/0/env",
            "/spec/template/spec/containers/0/image")) {
      assertThat(after.at(pointer)).as("%s %s", fixture, pointer).isEqualTo(before.at(pointer));
    }
  }

  private static long handlers(JsonNode handler, String... types) {
    return Stream.of(types).filter(handler::has).count();
  }

  private static IntOrString maxUnavailable(HardeningPlan plan) {
    return plan.hardened().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
  }

  private static Map<String, String> templateAnnotations(HardeningPlan plan) {
    Map<String, String> annotations =
        plan.hardened().getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static List<String> containerNames(HardeningPlan plan) {
    return plan.hardened().getSpec().getTemplate().getSpec().getContainers().stream()
        .map(Container::getName)
        .toList();
  }
}
