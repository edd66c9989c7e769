package io.saferollout.operator;

import static io.saferollout.operator.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Adoption;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.cluster.IdleContainers;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.operator.adoption.RolloutProgress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Adoption against the lab's Deployment controller (revisions, ReplicaSets, rollout status as
 * Kubernetes keeps them): no rollout the user did not ask for, and one at a time when asked.
 */
@io.saferollout.WallClockTest
class AdoptionInTheLabTest {
  /** Lab rollouts of idle containers take seconds; the margin covers a loaded machine. */
  static final Duration ROLLOUT = Duration.ofSeconds(60);

  @Test
  void nextRolloutRidesAlongWithTheUsersImageChange() throws Exception {
    try (LabCluster lab = LabCluster.builder().runtime(IdleContainers.runtime()).start();
        KubernetesClient client = lab.newClient();
        SafeRolloutOperator operator =
            new SafeRolloutOperator(
                lab.newClient(), OperatorSettings.singleInstance(), new SimpleMeterRegistry())) {
      OperatorHarness.installCrd(client);
      operator.start();
      client
          .apps()
          .deployments()
          .inNamespace(NS)
          .resource(OperatorHarness.deployment("web", Map.of()))
          .create();
      await().atMost(ROLLOUT).until(() -> rolledOut(client, "web"));
      Thread.sleep(1100); // creationTimestamp has one-second resolution: the Deployment is older
      client
          .resources(SafeRollout.class)
          .inNamespace(NS)
          .resource(OperatorHarness.safeRollout("web", TargetRef.byName("web")))
          .create();

      await().atMost(ROLLOUT).until(() -> phase(client, "web") == Phase.AwaitingRollout);
      Thread.sleep(2000);
      assertThat(replicaSets(client)).as("no rollout before the user's").isEqualTo(1);

      client
          .apps()
          .deployments()
          .inNamespace(NS)
          .withName("web")
          .edit(
              d ->
                  new DeploymentBuilder(d)
                      .editSpec()
                      .editTemplate()
                      .editSpec()
                      .editContainer(0)
                      .withImage("example/web:2")
                      .endContainer()
                      .endSpec()
                      .endTemplate()
                      .endSpec()
                      .build());
      // (The lab's idle containers never pass the added readiness probe, so this rollout does not
      // finish here; what counts is that our changes joined the user's.)
      await().atMost(ROLLOUT).until(() -> phase(client, "web") == Phase.Hardened);
      Deployment d = client.apps().deployments().inNamespace(NS).withName("web").get();
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("example/web:2");
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe())
          .isNotNull();
      int replicaSets = replicaSets(client);
      // The cost of riding along: the user's ReplicaSet may be replaced by ours mid-rollout.
      System.out.printf(
          "NextRollout: %d ReplicaSet(s) for one user rollout (1 original + 1 user + %d extra)%n",
          replicaSets, replicaSets - 2);
      assertThat(replicaSets).isBetween(2, 3);
    }
  }

  @Test
  void immediatelyRollsOneDeploymentAtATime() throws Exception {
    try (LabCluster lab = LabCluster.builder().runtime(IdleContainers.runtime()).start();
        KubernetesClient client = lab.newClient();
        SafeRolloutOperator operator =
            new SafeRolloutOperator(
                lab.newClient(), OperatorSettings.singleInstance(), new SimpleMeterRegistry())) {
      OperatorHarness.installCrd(client);
      operator.start();
      for (String name : List.of("cart", "shop")) {
        client
            .apps()
            .deployments()
            .inNamespace(NS)
            .resource(OperatorHarness.deployment(name, Map.of("tier", "front")))
            .create();
      }
      await().atMost(ROLLOUT).until(() -> rolledOut(client, "cart") && rolledOut(client, "shop"));
      Thread.sleep(1100);
      SafeRollout sr =
          OperatorHarness.safeRollout(
              "front",
              TargetRef.bySelector(
                  new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "front")).build()));
      sr.getSpec().setAdoption(Adoption.Immediately);
      client.resources(SafeRollout.class).inNamespace(NS).resource(sr).create();

      // cart (first by name) rolls now; the lab's idle containers never pass the added readiness
      // probe, so its rollout stays in progress, and shop must wait.
      await().atMost(ROLLOUT).until(() -> hardened(deployment(client, "cart")));
      await().atMost(ROLLOUT).until(() -> phase(client, "front") == Phase.AwaitingRollout);
      Thread.sleep(3000);
      assertThat(hardened(deployment(client, "shop")))
          .as("shop waits while cart rolls out")
          .isFalse();
      assertThat(
              client
                  .resources(SafeRollout.class)
                  .inNamespace(NS)
                  .withName("front")
                  .get()
                  .getStatus()
                  .getPending())
          .extracting("deployment")
          .containsExactly("shop");

      // cart's rollout ends (scaled to zero, nothing left to roll): now shop's turn.
      client.apps().deployments().inNamespace(NS).withName("cart").scale(0);
      await().atMost(ROLLOUT).until(() -> hardened(deployment(client, "shop")));
      await()
          .atMost(ROLLOUT)
          .until(
              () ->
                  client
                      .resources(SafeRollout.class)
                      .inNamespace(NS)
                      .withName("front")
                      .get()
                      .getStatus()
                      .getPending()
                      .isEmpty());
    }
  }

  private static Deployment deployment(KubernetesClient client, String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static boolean hardened(Deployment d) {
    return d.getMetadata().getAnnotations() != null
        && d.getMetadata().getAnnotations().containsKey(AppliedChangesRecord.HARDENED_BY);
  }

  private static boolean rolledOut(KubernetesClient client, String name) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
    return d != null && !RolloutProgress.inProgress(d);
  }

  private static int replicaSets(KubernetesClient client) {
    return client.apps().replicaSets().inNamespace(NS).list().getItems().size();
  }

  private static Phase phase(KubernetesClient client, String name) {
    SafeRollout sr = client.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
    return sr == null || sr.getStatus() == null ? null : sr.getStatus().getPhase();
  }
}
