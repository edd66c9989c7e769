package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Readable fixtures: a small web Deployment whose readiness probe runs every second. */
final class LabFixtures {

  static final String NAMESPACE = "lab";

  private LabFixtures() {}

  static DeploymentBuilder web(String name, int replicas, String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
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
        .withTerminationGracePeriodSeconds(5L)
        .addToContainers(
            new ContainerBuilder()
                .withName("web")
                .withImage(image)
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .withReadinessProbe(
                    new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath("/ready")
                        .withPort(new IntOrString("http"))
                        .endHttpGet()
                        .withPeriodSeconds(1)
                        .withFailureThreshold(1)
                        .build())
                .build())
        .endSpec()
        .endTemplate()
        .endSpec();
  }

  /** A bare pod (no owner) with one web container; the kubelet still runs it gracefully. */
  static io.fabric8.kubernetes.api.model.PodBuilder pod(String name, String image) {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(5L)
        .addToContainers(
            new ContainerBuilder()
                .withName("web")
                .withImage(image)
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .withReadinessProbe(
                    new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath("/ready")
                        .withPort(new IntOrString("http"))
                        .endHttpGet()
                        .withPeriodSeconds(1)
                        .withFailureThreshold(1)
                        .build())
                .build())
        .endSpec();
  }

  static Pod pod(KubernetesClient client, String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  static Deployment deployment(KubernetesClient client, String name) {
    return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
  }

  static List<Pod> pods(KubernetesClient client, String app) {
    return client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems();
  }

  static long readyPods(KubernetesClient client, String app) {
    return pods(client, app).stream().filter(PodConditions::isReady).count();
  }
}
