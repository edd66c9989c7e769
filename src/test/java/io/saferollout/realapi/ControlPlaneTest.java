package io.saferollout.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.lab.controlplane.ControlPlane;
import io.saferollout.lab.controlplane.KubernetesBinaries;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The control plane is the real one, of the pinned release, on loopback, and leaves nothing behind.
 */
@RealApiTest
class ControlPlaneTest {

  @Test
  void reportsThePinnedReleaseAndServesTheRealApi(ControlPlane cp) {
    try (KubernetesClient admin = cp.newAdminClient()) {
      assertThat(admin.getKubernetesVersion().getGitVersion())
          .isEqualTo("v" + KubernetesBinaries.PINNED_VERSION);
      // Validation only the real apps API has: the mock server stores this Deployment.
      Deployment invalid =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName("no-selector")
              .endMetadata()
              .withNewSpec()
              .withNewTemplate()
              .withNewMetadata()
              .withLabels(Map.of("app", "x"))
              .endMetadata()
              .withNewSpec()
              .addNewContainer()
              .withName("app")
              .withImage("nginx")
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build();
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () ->
                      admin.apps().deployments().inNamespace("default").resource(invalid).create()))
          .hasMessageContaining("422")
          .hasMessageContaining("spec.selector");
    }
  }

  @Test
  void theControllersRunADeploymentToReplicaSetAndPods(ControlPlane cp) {
    try (KubernetesClient admin = cp.newAdminClient()) {
      String ns = "control-plane-test";
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .serverSideApply();
      admin.apps().deployments().inNamespace(ns).resource(deployment("web", 2)).create();
      // The real Deployment and ReplicaSet controllers; no kubelet here, so the pods stay Pending.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(admin.pods().inNamespace(ns).withLabel("app", "web").list().getItems())
                      .hasSize(2)
                      .allSatisfy(
                          p ->
                              assertThat(p.getMetadata().getOwnerReferences().get(0).getKind())
                                  .isEqualTo("ReplicaSet")));
    }
  }

  @Test
  void everyProcessListensOnLoopbackOnly(ControlPlane cp) throws IOException {
    Set<String> loopbackListens = new HashSet<>();
    List<String> others = new ArrayList<>();
    Map<Long, String> listening = ListeningSockets.read();
    for (ProcessHandle process : cp.processes()) {
      for (long inode : ListeningSockets.socketInodes(process.pid())) {
        String address = listening.get(inode);
        if (address == null) {
          continue;
        }
        if (ListeningSockets.isLoopback(address)) {
          loopbackListens.add(process.pid() + " " + address);
        } else {
          others.add(process.info().command().orElse("pid " + process.pid()) + " on " + address);
        }
      }
    }
    assertThat(others).as("sockets listening beyond loopback").isEmpty();
    // etcd (client and peer), kube-apiserver, controller-manager and scheduler at least.
    assertThat(loopbackListens).hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void closingStopsEveryProcessAndRemovesItsFiles() throws IOException {
    List<ProcessHandle> processes;
    Path workDir;
    try (ControlPlane cp = ControlPlane.apiOnly()) {
      processes = cp.processes();
      workDir = cp.adminKubeconfig().getParent();
      assertThat(processes).hasSizeGreaterThanOrEqualTo(2).allMatch(ProcessHandle::isAlive);
      assertThat(workDir).exists();
    }
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(workDir).doesNotExist();
    try (Stream<ProcessHandle> children = ProcessHandle.current().descendants()) {
      assertThat(children.filter(p -> processes.stream().anyMatch(q -> q.pid() == p.pid())))
          .isEmpty();
    }
  }

  private static Deployment deployment(String name, int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/web:1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
