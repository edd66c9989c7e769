package io.saferollout.bench;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * How fast the operator hardens a namespace full of Deployments, against the CRUD mock API: 200
 * Deployments, then 200 SafeRollouts created back to back, twice (a cold and a warm wave) (adoption
 * Immediately: the Deployments exist, rolled out, and NextRollout would rightly wait for their next
 * rollout); for each, the time from its creation to its Deployment carrying our patch; the API
 * requests this cost; the heap after. Prints numbers; asserts nothing. Run: ./mvnw -B -q -Pbench
 * test-compile exec:java -Dbench=OperatorBench
 *
 * <p>With {@code -Dbench.heap=true}: the operator's heap over 1,000 SafeRollouts and their 10,000
 * pods (10 per Deployment, Ready, owned by a ReplicaSet), no traffic; the heap is measured after a
 * GC before the operator starts and again once it has settled, so the difference is the operator's
 * (its informer caches: SafeRollouts, Deployments, PodDisruptionBudgets, lean pods,
 * EndpointSlices).
 */
public final class OperatorBench {
  static final int COUNT = Integer.getInteger("bench.count", 200);

  /**
   * Two waves of COUNT SafeRollouts: "cold" right after the operator starts (its first reconciles
   * load classes and build serializers on a fresh JVM, all at once), then "warm", the steady state
   * an operator that has been running a while shows. Each wave's figures are printed on their own.
   */
  static final java.util.List<String> WAVES = java.util.List.of("cold", "warm");

  /** One wave's creation-to-patch latencies. */
  private static final class Wave {
    final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    final java.util.concurrent.CountDownLatch patched =
        new java.util.concurrent.CountDownLatch(COUNT);

    synchronized void record(long micros) {
      latency.recordValue(micros);
      patched.countDown();
    }
  }

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  public static void main(String[] args) throws Exception {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.OFF);
    if (Boolean.getBoolean("bench.heap")) {
      OperatorHeap.run(
          Integer.getInteger("bench.safeRollouts", 1000),
          Integer.getInteger("bench.podsPerDeployment", 10),
          Integer.getInteger("bench.namespaces", 1));
      return;
    }
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
      for (String wave : WAVES) {
        for (int i = 0; i < COUNT; i++) {
          client
              .apps()
              .deployments()
              .inNamespace("bench")
              .resource(OperatorHeap.rolledOut(deployment(wave + "-" + i), 3))
              .create();
        }
      }
      Map<String, Long> createdAt = new ConcurrentHashMap<>();
      Map<String, Wave> waveOf = new ConcurrentHashMap<>();
      var informer =
          client
              .apps()
              .deployments()
              .inNamespace("bench")
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Deployment d) {}

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {}

                    @Override
                    public void onUpdate(Deployment old, Deployment d) {
                      boolean hardenedNow =
                          d.getMetadata().getAnnotations() != null
                              && d.getMetadata()
                                  .getAnnotations()
                                  .containsKey("saferollout.io/hardened-by")
                              && (old.getMetadata().getAnnotations() == null
                                  || !old.getMetadata()
                                      .getAnnotations()
                                      .containsKey("saferollout.io/hardened-by"));
                      Long t0 = createdAt.get(d.getMetadata().getName());
                      Wave wave = waveOf.get(d.getMetadata().getName());
                      if (hardenedNow && t0 != null && wave != null) {
                        wave.record((System.nanoTime() - t0) / 1000);
                      }
                    }
                  });
      // The operator does not close the client it is given; closing both ends every thread they
      // started, so exec:java (which waits for non-daemon threads) returns once the figures are
      // out.
      try (KubernetesClient operatorClient = server.createClient();
          SafeRolloutOperator operator =
              new SafeRolloutOperator(
                  operatorClient, OperatorSettings.singleInstance(), new SimpleMeterRegistry())) {
        operator.start();
        System.out.printf(
            "load average %.1f on %d cores (the latencies grow with it)%n",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
            Runtime.getRuntime().availableProcessors());
        for (String name : WAVES) {
          Wave wave = new Wave();
          long requestsBefore = server.getRequestCount();
          long start = System.nanoTime();
          for (int i = 0; i < COUNT; i++) {
            String app = name + "-" + i;
            SafeRollout sr = new SafeRollout();
            sr.getMetadata().setName(app);
            sr.getMetadata().setNamespace("bench");
            SafeRolloutSpec spec = new SafeRolloutSpec();
            spec.setTarget(TargetRef.byName(app));
            spec.getReadinessProbe().setPath("/healthz");
            spec.setAdoption(Adoption.Immediately);
            sr.setSpec(spec);
            waveOf.put(app, wave);
            createdAt.put(app, System.nanoTime());
            client.resources(SafeRollout.class).inNamespace("bench").resource(sr).create();
          }
          boolean all = wave.patched.await(5, TimeUnit.MINUTES);
          double seconds = (System.nanoTime() - start) / 1e9;
          // Settled: the status writes and Events that follow each patch are in.
          Thread.sleep(3000);
          long requests = server.getRequestCount() - requestsBefore - COUNT;
          System.out.printf(
              "%s: %d SafeRollouts, %d Deployments hardened%s within %.1f s;"
                  + " creation -> Deployment patched p50 %.0f ms, p99 %.0f ms, max %.0f ms;"
                  + " API requests by the operator (the %d creates excluded): %d,"
                  + " %.1f per SafeRollout%n",
              name,
              COUNT,
              COUNT - wave.patched.getCount(),
              all ? "" : " (timed out)",
              seconds,
              wave.latency.getValueAtPercentile(50) / 1000.0,
              wave.latency.getValueAtPercentile(99) / 1000.0,
              wave.latency.getMaxValue() / 1000.0,
              COUNT,
              requests,
              requests / (double) COUNT);
        }
        System.out.printf("reconciles: %d%n", operator.reconcileCount());
        System.gc();
        Thread.sleep(500);
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
            "heap used after settling (whole JVM: mock server + informers + operator): %.1f MiB%n",
            heap / 1048576.0);
      }
      informer.close();
    } finally {
      server.destroy();
    }
  }

  static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("bench")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
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
}
