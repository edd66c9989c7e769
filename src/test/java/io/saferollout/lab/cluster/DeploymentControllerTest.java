package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class DeploymentControllerTest {

  // Generous: a rollout of three pods takes seconds, but the machine is small and shared.
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  private final HttpTestRuntime runtime =
      new HttpTestRuntime().byDefault(HttpTestRuntime.Behaviour.readyAfter(Duration.ofMillis(500)));
  private LabCluster lab;
  private KubernetesClient client;

  @BeforeEach
  void startLab() {
    lab = LabCluster.builder().runtime(runtime).seed(42).start();
    client = lab.newClient();
  }

  @AfterEach
  void stopLab() {
    lab.close();
  }

  private Deployment create(Deployment d) {
    return client.apps().deployments().resource(d).create();
  }

  private void awaitComplete(String name, String image) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Deployment d = LabFixtures.deployment(client, name);
              int desired = d.getSpec().getReplicas();
              assertThat(d.getStatus()).isNotNull();
              assertThat(d.getStatus().getObservedGeneration())
                  .isEqualTo(d.getMetadata().getGeneration());
              assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(desired);
              assertThat(d.getStatus().getReplicas()).isEqualTo(desired);
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(desired);
              assertThat(DeploymentProgress.condition(d.getStatus(), "Progressing").getReason())
                  .isEqualTo("NewReplicaSetAvailable");
              assertThat(LabFixtures.pods(client, name))
                  .hasSize(desired)
                  .allSatisfy(
                      p ->
                          assertThat(p.getSpec().getContainers().get(0).getImage())
                              .isEqualTo(image));
            });
  }

  private void setImage(String name, String image) {
    client
        .apps()
        .deployments()
        .inNamespace(LabFixtures.NAMESPACE)
        .withName(name)
        .edit(
            d -> {
              d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
              return d;
            });
  }

  private List<ReplicaSet> replicaSets() {
    return client.apps().replicaSets().inNamespace(LabFixtures.NAMESPACE).list().getItems();
  }

  private static String revision(ReplicaSet rs) {
    return rs.getMetadata().getAnnotations().get(DeploymentController.REVISION);
  }

  private static ReplicaSet withImage(List<ReplicaSet> rss, String image) {
    return rss.stream()
        .filter(
            rs ->
                image.equals(
                    rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void rollingUpdateWithMaxUnavailableZeroNeverDropsBelowDesiredReadyPods() {
    create(
        LabFixtures.web("web", 3, "web:v1")
            .editSpec()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .endSpec()
            .build());
    awaitComplete("web", "web:v1");

    try (ReadyPodSampler sampler = new ReadyPodSampler(client, "web")) {
      sampler.arm();
      setImage("web", "web:v2");
      awaitComplete("web", "web:v2");

      assertThat(sampler.minimumReady())
          .as("ready, non-terminating pods during the rollout")
          .isGreaterThanOrEqualTo(3);
      assertThat(sampler.maximumPods()).as("surge adds pods").isGreaterThan(3);
    }
    Deployment d = LabFixtures.deployment(client, "web");
    assertThat(d.getMetadata().getAnnotations()).containsEntry(DeploymentController.REVISION, "2");
    List<ReplicaSet> rss = replicaSets();
    assertThat(rss).hasSize(2);
    assertThat(revision(withImage(rss, "web:v1"))).isEqualTo("1");
    assertThat(withImage(rss, "web:v1").getSpec().getReplicas()).isZero();
    assertThat(revision(withImage(rss, "web:v2"))).isEqualTo("2");
    assertThat(withImage(rss, "web:v2").getSpec().getReplicas()).isEqualTo(3);
    String newHash = withImage(rss, "web:v2").getMetadata().getLabels().get(PodTemplateHash.LABEL);
    assertThat(LabFixtures.pods(client, "web"))
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getLabels())
                    .containsEntry(PodTemplateHash.LABEL, newHash));
  }

  @Test
  void rollingUpdateWithMaxUnavailableOneDipsBelowDesired() {
    create(
        LabFixtures.web("web", 3, "web:v1")
            .editSpec()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(1))
            .withMaxSurge(new IntOrString(0))
            .endRollingUpdate()
            .endStrategy()
            .endSpec()
            .build());
    awaitComplete("web", "web:v1");

    try (ReadyPodSampler sampler = new ReadyPodSampler(client, "web")) {
      sampler.arm();
      setImage("web", "web:v2");
      awaitComplete("web", "web:v2");

      assertThat(sampler.minimumReady()).isEqualTo(2);
      assertThat(sampler.maximumPods())
          .as("no surge: old pods go before new ones come")
          .isLessThanOrEqualTo(3 + 1);
    }
  }

  @Test
  void minReadySecondsDelaysAvailability() {
    create(LabFixtures.web("web", 1, "web:v1").editSpec().withMinReadySeconds(4).endSpec().build());

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Deployment now = LabFixtures.deployment(client, "web");
              assertThat(now.getStatus().getAvailableReplicas()).isEqualTo(1);
              assertThat(DeploymentProgress.condition(now.getStatus(), "Available").getStatus())
                  .isEqualTo("True");
            });
    Pod readyPod = LabFixtures.pods(client, "web").get(0);
    Deployment available = LabFixtures.deployment(client, "web");
    java.time.Instant availableAt =
        java.time.Instant.parse(
            DeploymentProgress.condition(available.getStatus(), "Available")
                .getLastTransitionTime());
    assertThat(availableAt)
        .isAfterOrEqualTo(PodConditions.readySince(readyPod).orElseThrow().plusSeconds(4));
  }

  @Test
  void pausedDeploymentDoesNotRollOutUntilResumed() {
    create(LabFixtures.web("web", 2, "web:v1").build());
    awaitComplete("web", "web:v1");

    client
        .apps()
        .deployments()
        .inNamespace(LabFixtures.NAMESPACE)
        .withName("web")
        .edit(
            d -> {
              d.getSpec().setPaused(true);
              d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("web:v2");
              return d;
            });
    // Once the controller has observed the paused generation it has made every decision about it.
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Deployment d = LabFixtures.deployment(client, "web");
              assertThat(d.getStatus().getObservedGeneration())
                  .isEqualTo(d.getMetadata().getGeneration());
              assertThat(DeploymentProgress.condition(d.getStatus(), "Progressing").getReason())
                  .isEqualTo("DeploymentPaused");
              assertThat(DeploymentProgress.condition(d.getStatus(), "Progressing").getStatus())
                  .isEqualTo("Unknown");
            });
    assertThat(replicaSets())
        .singleElement()
        .satisfies(rs -> assertThat(revision(rs)).isEqualTo("1"));
    assertThat(LabFixtures.pods(client, "web"))
        .allSatisfy(
            p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("web:v1"));

    client
        .apps()
        .deployments()
        .inNamespace(LabFixtures.NAMESPACE)
        .withName("web")
        .edit(
            d -> {
              d.getSpec().setPaused(false);
              return d;
            });
    awaitComplete("web", "web:v2");
  }

  @Test
  void rolloutThatNeverBecomesReadyExceedsItsProgressDeadline() {
    runtime.behave("broken:v1", HttpTestRuntime.Behaviour.alwaysUnready());
    create(
        LabFixtures.web("web", 2, "broken:v1")
            .editSpec()
            .withProgressDeadlineSeconds(3)
            .endSpec()
            .build());

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              Deployment d = LabFixtures.deployment(client, "web");
              assertThat(d.getStatus()).isNotNull();
              var progressing = DeploymentProgress.condition(d.getStatus(), "Progressing");
              assertThat(progressing.getStatus()).isEqualTo("False");
              assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
              assertThat(progressing.getMessage()).contains("has timed out progressing");
              assertThat(d.getStatus().getAvailableReplicas()).isZero();
              assertThat(DeploymentProgress.condition(d.getStatus(), "Available").getStatus())
                  .isEqualTo("False");
            });
  }

  @Test
  void rollbackReusesTheOldReplicaSetUnderANewRevision() {
    create(LabFixtures.web("web", 2, "web:v1").build());
    awaitComplete("web", "web:v1");
    String v1Name = replicaSets().get(0).getMetadata().getName();
    setImage("web", "web:v2");
    awaitComplete("web", "web:v2");

    setImage("web", "web:v1");
    awaitComplete("web", "web:v1");

    List<ReplicaSet> rss = replicaSets();
    assertThat(rss).hasSize(2);
    ReplicaSet restored = withImage(rss, "web:v1");
    assertThat(restored.getMetadata().getName()).isEqualTo(v1Name);
    assertThat(revision(restored)).isEqualTo("3");
    assertThat(revision(withImage(rss, "web:v2"))).isEqualTo("2");
    assertThat(LabFixtures.deployment(client, "web").getMetadata().getAnnotations())
        .containsEntry(DeploymentController.REVISION, "3");
  }

  @Test
  void rolloutRestartAnnotationRollsOutNewPods() {
    create(LabFixtures.web("web", 2, "web:v1").build());
    awaitComplete("web", "web:v1");
    List<String> before =
        LabFixtures.pods(client, "web").stream().map(p -> p.getMetadata().getName()).toList();

    client
        .apps()
        .deployments()
        .inNamespace(LabFixtures.NAMESPACE)
        .withName("web")
        .rolling()
        .restart();

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(replicaSets()).hasSize(2);
              assertThat(LabFixtures.deployment(client, "web").getStatus().getUpdatedReplicas())
                  .isEqualTo(2);
              assertThat(LabFixtures.deployment(client, "web").getStatus().getAvailableReplicas())
                  .isEqualTo(2);
              assertThat(LabFixtures.pods(client, "web"))
                  .hasSize(2)
                  .noneMatch(p -> before.contains(p.getMetadata().getName()));
            });
  }

  @Test
  void scaleDownDeletesNotReadyPodsFirst() {
    create(LabFixtures.web("web", 3, "web:v1").build());
    awaitComplete("web", "web:v1");
    String sick = LabFixtures.pods(client, "web").get(1).getMetadata().getName();
    runtime.failReadiness(sick);
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                LabFixtures.pods(client, "web").stream()
                    .anyMatch(
                        p -> p.getMetadata().getName().equals(sick) && !PodConditions.isReady(p)));

    client.apps().deployments().inNamespace(LabFixtures.NAMESPACE).withName("web").scale(2);

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              List<Pod> pods = LabFixtures.pods(client, "web");
              assertThat(pods).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(sick));
              assertThat(pods).allMatch(PodConditions::isReady);
            });
  }

  @Test
  void recreateStopsEveryOldPodBeforeStartingNewOnes() {
    create(
        LabFixtures.web("web", 2, "web:v1")
            .editSpec()
            .withNewStrategy()
            .withType("Recreate")
            .endStrategy()
            .endSpec()
            .build());
    awaitComplete("web", "web:v1");
    try (ReadyPodSampler sampler = new ReadyPodSampler(client, "web")) {
      sampler.arm();
      setImage("web", "web:v2");
      awaitComplete("web", "web:v2");
      assertThat(sampler.minimumReady()).isZero();
      assertThat(sampler.maximumPods()).isEqualTo(2);
    }
  }
}
