package io.saferollout.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.cluster.IdleContainers;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.operator.health.OperatorHealth.Leadership;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every command, test and benchmark must end by itself: a JVM exits only once its last non-daemon
 * thread has. After the operator has hardened a Deployment in the lab and everything is closed
 * (operator, clients, lab), no non-daemon thread started meanwhile may remain: an idle scheduled
 * pool left by the operator framework once kept `OperatorBench` and `saferollout demo` from
 * exiting.
 */
class ThreadsEndWithTheirOwnerTest {
  private static final String NS = "shop";

  @Test
  void stoppingTheOperatorAndTheLabLeavesNoNonDaemonThreadBehind() throws IOException {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());

    try (LabCluster lab = LabCluster.builder().runtime(IdleContainers.runtime()).start();
        KubernetesClient admin = lab.newClient();
        KubernetesClient operatorClient = lab.newClient()) {
      try (InputStream crd =
          Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
        admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      // Leader election on, in process: the Lease's elector threads have to end as well.
      OperatorSettings settings =
          OperatorSettings.singleInstance()
              .withLeaderElection(NS, "only", OperatorSettings.LeaseTiming.DEFAULT.inProcess());
      try (SafeRolloutOperator operator =
          new SafeRolloutOperator(operatorClient, settings, new SimpleMeterRegistry())) {
        operator.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> operator.leadership() == Leadership.LEADER);
        admin.apps().deployments().inNamespace(NS).resource(deployment("web")).create();
        admin.resources(SafeRollout.class).inNamespace(NS).resource(safeRollout("web")).create();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    operator.reconcileCount() >= 1
                        && hardened(
                            admin.apps().deployments().inNamespace(NS).withName("web").get()));
      }
    }

    // Pools wind down asynchronously after shutdown (Netty's global executor lingers for 1 s by
    // design); 20 s is far more than any of them needs.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(leftBehind(before))
                    .as("non-daemon threads still alive after the operator and the lab were closed")
                    .isEmpty());
  }

  /** Excludes the caller: Awaitility evaluates the condition on a thread of its own. */
  private static List<String> leftBehind(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t -> t.isAlive() && !t.isDaemon() && !before.contains(t) && t != Thread.currentThread())
        .map(
            t ->
                t.getName()
                    + " "
                    + List.of(t.getStackTrace()).stream()
                        .limit(6)
                        .map(String::valueOf)
                        .collect(Collectors.joining(" < ")))
        .toList();
  }

  private static boolean hardened(Deployment d) {
    return d != null
        && d.getMetadata().getAnnotations() != null
        && d.getMetadata().getAnnotations().keySet().stream()
            .anyMatch(k -> k.startsWith("saferollout.io/"));
  }

  private static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", name)).build())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", name))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("example/web:1")
        .withPorts(new ContainerPortBuilder().withContainerPort(8080).build())
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static SafeRollout safeRollout(String name) {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName(name);
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName(name));
    spec.getReadinessProbe().setPath("/healthz");
    sr.setSpec(spec);
    return sr;
  }
}
