package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A drain through the eviction API against a live Deployment: the PodDisruptionBudget holds the
 * drain back (429) until each evicted pod's replacement is ready, so the Service never has fewer
 * ready pods than the budget asks for.
 */
@io.saferollout.WallClockTest
class NodeDrainInTheLabTest {

  // The machine is small and shared: convergence waits are generous, never timing assertions.
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @Test
  void drainingEveryPodKeepsTheBudgetsMinimumReady() throws Exception {
    try (LabCluster lab =
            LabCluster.builder()
                .runtime(
                    new HttpTestRuntime()
                        // Replacements take 2 s to become ready, so the budget has to hold the
                        // drain back.
                        .byDefault(HttpTestRuntime.Behaviour.readyAfter(Duration.ofSeconds(2))))
                .start();
        KubernetesClient client = lab.newClient();
        ReadyPodSampler sampler = new ReadyPodSampler(client, "web");
        NodeDrain drain = new NodeDrain(client, Duration.ofMillis(200))) {
      client.apps().deployments().resource(LabFixtures.web("web", 3, "web:v1").build()).create();
      client
          .resource(
              new PodDisruptionBudgetBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .withNamespace(LabFixtures.NAMESPACE)
                  .endMetadata()
                  .withNewSpec()
                  .withMinAvailable(new IntOrString(2))
                  .withNewSelector()
                  .addToMatchLabels("app", "web")
                  .endSelector()
                  .endSpec()
                  .build())
          .create();
      await()
          .atMost(CONVERGE)
          .until(
              () ->
                  LabFixtures.pods(client, "web").stream().filter(PodConditions::isReady).count()
                      == 3);
      sampler.arm();

      List<Pod> onNode = drain.podsOn(LabFixtures.NAMESPACE, Kubelet.NODE_NAME);
      NodeDrain.Result result = drain.evict(onNode, CONVERGE);

      assertThat(result.complete()).as("%s", result).isTrue();
      assertThat(result.evicted()).hasSize(3);
      assertThat(result.tooManyRequests())
          .as("the budget held the drain back at least once")
          .isPositive();
      assertThat(sampler.minimumReady())
          .as("ready, non-terminating pods at any moment")
          .isGreaterThanOrEqualTo(2);
    }
  }
}
