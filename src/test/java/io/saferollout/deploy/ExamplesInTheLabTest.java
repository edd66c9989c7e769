package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Mode;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.lab.cluster.IdleContainers;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every example in deploy/examples, applied as `kubectl apply -n demo -f` would, to the lab's API
 * with the operator running: each SafeRollout reaches its phase, and its Deployments are hardened
 * (or, in Audit mode, left exactly as written).
 */
class ExamplesInTheLabTest {
  static final String NS = "demo";

  @ParameterizedTest
  @ValueSource(strings = {"by-name.yaml", "selector.yaml", "istio-sidecar.yaml", "audit.yaml"})
  void exampleIsHardenedInTheLab(String file) throws Exception {
    try (LabCluster lab = LabCluster.builder().runtime(IdleContainers.runtime()).start();
        KubernetesClient client = lab.newClient()) {
      try (InputStream crd =
          Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
        client.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      try (SafeRolloutOperator operator =
          new SafeRolloutOperator(
              lab.newClient(), OperatorSettings.singleInstance(), new SimpleMeterRegistry())) {
        operator.start();
        List<SafeRollout> safeRollouts = new ArrayList<>();
        List<Deployment> written = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of("deploy", "examples", file))) {
          for (HasMetadata item : client.load(in).items()) {
            item.getMetadata().setNamespace(NS);
            if (item instanceof GenericKubernetesResource g && "SafeRollout".equals(g.getKind())) {
              SafeRollout sr = Serialization.jsonMapper().convertValue(g, SafeRollout.class);
              safeRollouts.add(
                  client.resources(SafeRollout.class).inNamespace(NS).resource(sr).create());
            } else {
              HasMetadata created = client.resource(item).inNamespace(NS).create();
              if (created instanceof Deployment d) {
                written.add(d);
              }
            }
          }
        }
        assertThat(safeRollouts).isNotEmpty();
        assertThat(written).isNotEmpty();
        for (SafeRollout sr : safeRollouts) {
          boolean audit = sr.getSpec().getMode() == Mode.Audit;
          Phase expected = audit ? Phase.Audited : Phase.Hardened;
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> phase(client, sr.getMetadata().getName()) == expected);
          SafeRollout done =
              client
                  .resources(SafeRollout.class)
                  .inNamespace(NS)
                  .withName(sr.getMetadata().getName())
                  .get();
          assertThat(done.getStatus().getTargets()).isNotEmpty();
          for (String target : done.getStatus().getTargets()) {
            Deployment now = client.apps().deployments().inNamespace(NS).withName(target).get();
            Deployment before =
                written.stream()
                    .filter(d -> d.getMetadata().getName().equals(target))
                    .findFirst()
                    .orElseThrow();
            if (audit) {
              assertThat(now.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
            } else {
              assertThat(now.getMetadata().getAnnotations())
                  .containsKey("saferollout.io/hardened-by");
              assertThat(
                      now.getSpec()
                          .getStrategy()
                          .getRollingUpdate()
                          .getMaxUnavailable()
                          .getIntVal())
                  .isZero();
            }
          }
        }
      }
    }
  }

  private static Phase phase(KubernetesClient client, String name) {
    SafeRollout sr = client.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
    return sr == null || sr.getStatus() == null ? null : sr.getStatus().getPhase();
  }
}
