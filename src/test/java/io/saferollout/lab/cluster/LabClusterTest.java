package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LabClusterTest {

  // The machine is small and shared: convergence waits are generous, never timing assertions.
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  @Test
  void versionEndpointReportsTheSimulatedVersion() {
    try (LabCluster lab =
            LabCluster.builder().serverVersion("1.28").runtime(new HttpTestRuntime()).start();
        KubernetesClient client = lab.newClient()) {
      VersionInfo info = client.getKubernetesVersion();
      assertThat(info.getMajor()).isEqualTo("1");
      assertThat(info.getMinor()).isEqualTo("28");
      assertThat(info.getGitVersion()).isEqualTo("v1.28.0");
    }
    try (LabCluster lab =
        LabCluster.builder().serverVersion("v1.33").runtime(new HttpTestRuntime()).start()) {
      assertThat(lab.newClient().getKubernetesVersion().getMinor()).isEqualTo("33");
    }
  }

  @Test
  void badVersionIsRejectedWithAClearMessage() {
    assertThatThrownBy(() -> LabCluster.builder().serverVersion("latest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid Kubernetes version 'latest'");
    assertThatThrownBy(() -> LabCluster.builder().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ContainerRuntime is required");
  }

  @Test
  void deploymentOfThreeBecomesThreeReadyPodsWithCorrectStatus() {
    try (LabCluster lab = LabCluster.builder().runtime(new HttpTestRuntime()).start();
        KubernetesClient client = lab.newClient()) {
      client.apps().deployments().resource(LabFixtures.web("web", 3, "web:v1").build()).create();

      await()
          .atMost(CONVERGE)
          .untilAsserted(
              () -> {
                Deployment d = LabFixtures.deployment(client, "web");
                assertThat(d.getStatus()).isNotNull();
                assertThat(d.getStatus().getReplicas()).isEqualTo(3);
                assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
                assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
                assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
                assertThat(d.getStatus().getUnavailableReplicas()).isZero();
                assertThat(d.getStatus().getObservedGeneration())
                    .isEqualTo(d.getMetadata().getGeneration());
                assertThat(DeploymentProgress.condition(d.getStatus(), "Available").getStatus())
                    .isEqualTo("True");
                assertThat(DeploymentProgress.condition(d.getStatus(), "Progressing").getReason())
                    .isEqualTo("NewReplicaSetAvailable");
              });

      Deployment d = LabFixtures.deployment(client, "web");
      assertThat(d.getMetadata().getAnnotations())
          .containsEntry(DeploymentController.REVISION, "1");
      var replicaSets =
          client.apps().replicaSets().inNamespace(LabFixtures.NAMESPACE).list().getItems();
      assertThat(replicaSets)
          .singleElement()
          .satisfies(
              rs -> {
                assertThat(rs.getMetadata().getName()).startsWith("web-");
                assertThat(rs.getMetadata().getAnnotations())
                    .containsEntry(DeploymentController.REVISION, "1");
                assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(3);
              });
      var pods = LabFixtures.pods(client, "web");
      assertThat(pods)
          .hasSize(3)
          .allSatisfy(
              pod -> {
                assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                // In the loopback range this lab claimed: 127.1.0.0/16 unless another lab on
                // the machine holds it (LoopbackRange), so any 127.N.
                assertThat(pod.getStatus().getPodIP()).matches("127\\.\\d+\\.\\d+\\.\\d+");
                assertThat(pod.getSpec().getNodeName()).isEqualTo(Kubelet.NODE_NAME);
                assertThat(pod.getMetadata().getLabels()).containsKey(PodTemplateHash.LABEL);
                assertThat(pod.getStatus().getConditions())
                    .extracting(c -> c.getType() + "=" + c.getStatus())
                    .contains(
                        "PodScheduled=True",
                        "Initialized=True",
                        "ContainersReady=True",
                        "Ready=True");
                assertThat(pod.getStatus().getContainerStatuses())
                    .singleElement()
                    .satisfies(cs -> assertThat(cs.getReady()).isTrue());
              });
      Set<String> ips =
          pods.stream().map(Pod::getStatus).map(s -> s.getPodIP()).collect(Collectors.toSet());
      assertThat(ips).hasSize(3);
    }
  }
}
