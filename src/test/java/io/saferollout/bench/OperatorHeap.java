package io.saferollout.bench;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Adoption;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * OperatorBench's heap mode (-Dbench.heap=true): SafeRollouts over many pods, no traffic. With
 * -Dbench.namespaces=N (N > 1) they are spread over namespaces bench-0..bench-N-1 and the operator
 * watches exactly those (one informer per namespace); otherwise all sit in "bench" and the operator
 * watches all namespaces.
 */
final class OperatorHeap {
  private OperatorHeap() {}

  static void run(int safeRollouts, int podsPerDeployment, int namespaceCount) throws Exception {
    List<String> namespaces =
        namespaceCount <= 1
            ? List.of("bench")
            : IntStream.range(0, namespaceCount).mapToObj(i -> "bench-" + i).toList();
    OperatorSettings settings =
        namespaceCount <= 1
            ? OperatorSettings.singleInstance()
            : new OperatorSettings(
                Set.copyOf(namespaces),
                false,
                OperatorSettings.DEFAULT_LEASE_NAME,
                null,
                null,
                Duration.ofMinutes(10),
                OperatorSettings.LeaseTiming.DEFAULT);
    var expectations =
        new HashMap<
            io.fabric8.mockwebserver.ServerRequest,
            java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false,
            new VersionInfo.Builder()
                .withMajor("1")
                .withMinor("33")
                .withGitVersion("v1.33.0")
                .build());
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient()) {
      try (InputStream crd =
          Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
        client.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (int i = 0; i < safeRollouts; i++) {
          int n = i;
          String ns = namespaces.get(n % namespaces.size());
          pool.submit(
              () -> {
                client
                    .apps()
                    .deployments()
                    .inNamespace(ns)
                    .resource(
                        rolledOut(
                            new DeploymentBuilder(OperatorBench.deployment("app-" + n))
                                .editMetadata()
                                .withNamespace(ns)
                                .endMetadata()
                                .build(),
                            podsPerDeployment))
                    .create();
                for (int p = 0; p < podsPerDeployment; p++) {
                  client.pods().inNamespace(ns).resource(pod(ns, "app-" + n, p)).create();
                }
                return null;
              });
        }
      } finally {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
          pool.shutdownNow();
          throw new IllegalStateException("creating the objects took over 10 minutes");
        }
      }
      System.out.printf(
          "created %d Deployments and %d pods in %.1f s%n",
          safeRollouts, safeRollouts * podsPerDeployment, (System.nanoTime() - t0) / 1e9);
      long before = settledHeap();
      try (KubernetesClient operatorClient = server.createClient();
          SafeRolloutOperator operator =
              new SafeRolloutOperator(operatorClient, settings, new SimpleMeterRegistry())) {
        operator.start();
        for (int i = 0; i < safeRollouts; i++) {
          SafeRollout sr = new SafeRollout();
          sr.getMetadata().setName("app-" + i);
          sr.getMetadata().setNamespace(namespaces.get(i % namespaces.size()));
          SafeRolloutSpec spec = new SafeRolloutSpec();
          spec.setTarget(TargetRef.byName("app-" + i));
          spec.getReadinessProbe().setPath("/healthz");
          spec.setAdoption(Adoption.Immediately);
          sr.setSpec(spec);
          client.resources(SafeRollout.class).resource(sr).create();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long hardened = 0;
        while (System.nanoTime() < deadline) {
          hardened =
              client.apps().deployments().inAnyNamespace().list().getItems().stream()
                  .filter(
                      d ->
                          d.getMetadata().getAnnotations() != null
                              && d.getMetadata()
                                  .getAnnotations()
                                  .containsKey("saferollout.io/hardened-by"))
                  .count();
          if (hardened == safeRollouts) {
            break;
          }
          Thread.sleep(1000);
        }
        Thread.sleep(5000);
        long after = settledHeap();
        System.out.printf(
            "SafeRollouts %d, Deployments hardened %d, pods %d, namespaces %d%n",
            safeRollouts, hardened, safeRollouts * podsPerDeployment, namespaces.size());
        System.out.printf(
            "heap after GC: %.1f MiB before the operator (mock API and its objects), %.1f MiB with it settled: "
                + "operator %.1f MiB (goal <= 256 MiB)%n",
            before / 1048576.0, after / 1048576.0, (after - before) / 1048576.0);
      }
    } finally {
      server.destroy();
    }
  }

  private static long settledHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * As the Deployment controller leaves a finished rollout: Immediately waits while a target still
   * rolls.
   */
  static Deployment rolledOut(Deployment d, int replicas) {
    return new DeploymentBuilder(d)
        .editMetadata()
        .withGeneration(1L)
        .addToAnnotations("deployment.kubernetes.io/revision", "1")
        .endMetadata()
        .editSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(replicas)
        .withAvailableReplicas(replicas)
        .addNewCondition()
        .withType("Progressing")
        .withStatus("True")
        .withReason("NewReplicaSetAvailable")
        .endCondition()
        .endStatus()
        .build();
  }

  /**
   * A Ready pod as a ReplicaSet of the Deployment would run it, with the fields a real pod carries.
   */
  private static io.fabric8.kubernetes.api.model.Pod pod(String namespace, String app, int i) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(app + "-7d4b9c-" + i)
        .withNamespace(namespace)
        .withLabels(Map.of("app", app, "pod-template-hash", "7d4b9c"))
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName(app + "-7d4b9c")
        .withUid("rs-" + app)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-" + (i % 50))
        .addNewContainer()
        .withName("web")
        .withImage("example/web:1")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .addNewEnv()
        .withName("LOG_LEVEL")
        .withValue("info")
        .endEnv()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("10.0." + (i % 250) + "." + (i / 250 + 1))
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .addNewContainerStatus()
        .withName("web")
        .withReady(true)
        .withImage("example/web:1")
        .withRestartCount(0)
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
