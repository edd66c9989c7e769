package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.SafeRollout;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The observer's pod event sources under JOSDK, with the operator watching two namespaces: each
 * namespace's pods are cached pruned, and only Deployment pods are cached at all.
 */
class PodCacheAcrossNamespacesTest {
  static final Set<String> WATCHED = Set.of("shop", "blog");

  /** Generous for a loaded machine: one list per informer against a loopback server. */
  static final Duration SETTLE = Duration.ofSeconds(30);

  KubernetesMockServer server;
  KubernetesClient client;
  Operator operator;

  @BeforeEach
  void start() throws Exception {
    var expectations = new HashMap<ServerRequest, Queue<ServerResponse>>();
    server =
        new KubernetesMockServer(
            new io.fabric8.mockwebserver.Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    try (InputStream crd = Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.stop();
      operator
          .getConfigurationService()
          .getExecutorServiceManager()
          .scheduledExecutorService()
          .shutdownNow();
    }
    client.close();
    server.destroy();
  }

  @Test
  void podsOfEveryWatchedNamespaceAreCachedPrunedAndOnlyDeploymentPodsAtAll() {
    client.resource(deploymentPod("shop", "web-abc-1")).create();
    client.resource(deploymentPod("blog", "web-def-1")).create();
    client.resource(deploymentPod("elsewhere", "web-ghi-1")).create();
    Pod jobPod =
        new PodBuilder(deploymentPod("shop", "backup-x1"))
            .editMetadata()
            .withLabels(Map.of("job-name", "backup"))
            .withOwnerReferences()
            .endMetadata()
            .build();
    client.resource(jobPod).create();

    List<InformerEventSource<Pod, SafeRollout>> pods = startOperatorWatching(WATCHED);

    assertThat(pods)
        .extracting(EventSource::name)
        .containsExactlyInAnyOrder("rollout-pods-shop", "rollout-pods-blog");
    for (String ns : WATCHED) {
      String name = ns.equals("shop") ? "web-abc-1" : "web-def-1";
      Pod cached =
          await()
              .atMost(SETTLE)
              .until(() -> cachedPod(pods, ns, name), Optional::isPresent)
              .orElseThrow();
      assertThat(cached.getMetadata().getLabels()).containsKey("pod-template-hash");
      assertThat(cached.getSpec().getContainers().get(0).getLifecycle().getPreStop()).isNotNull();
      assertThat(cached.getMetadata().getAnnotations()).as(ns).isNullOrEmpty();
      assertThat(cached.getMetadata().getManagedFields()).as(ns).isNullOrEmpty();
      assertThat(cached.getSpec().getContainers().get(0).getEnv()).as(ns).isNullOrEmpty();
      assertThat(cached.getSpec().getVolumes()).as(ns).isNullOrEmpty();
      assertThat(cached.getStatus().getContainerStatuses()).as(ns).isNullOrEmpty();
    }
    assertThat(pods.stream().flatMap(s -> s.list()))
        .as("the Job's pod and the unwatched namespace's pod are not cached")
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("web-abc-1", "web-def-1");
  }

  @SuppressWarnings("unchecked")
  private List<InformerEventSource<Pod, SafeRollout>> startOperatorWatching(Set<String> ns) {
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false));
    RolloutObserver observer =
        new RolloutObserver(
            client,
            new SimpleMeterRegistry(),
            (sr, reason, message) -> {},
            Clock.systemUTC(),
            java.net.http.HttpClient.newHttpClient());
    var registered = operator.register(new PodsOnly(observer), c -> c.settingNamespaces(ns));
    operator.start();
    return ((Controller<SafeRollout>) registered)
        .getEventSourceManager().getEventSourcesFor(Pod.class).stream()
            .map(s -> (InformerEventSource<Pod, SafeRollout>) s)
            .toList();
  }

  private static Optional<Pod> cachedPod(
      List<InformerEventSource<Pod, SafeRollout>> sources, String ns, String name) {
    return sources.stream()
        .map(s -> s.get(new ResourceID(name, ns)))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** A reconciler with only the observer's event sources: the caches are what is under test. */
  static final class PodsOnly implements Reconciler<SafeRollout> {
    private final RolloutObserver observer;

    PodsOnly(RolloutObserver observer) {
      this.observer = observer;
    }

    @Override
    public UpdateControl<SafeRollout> reconcile(SafeRollout sr, Context<SafeRollout> context) {
      return UpdateControl.noUpdate();
    }

    @Override
    public List<EventSource<?, SafeRollout>> prepareEventSources(
        EventSourceContext<SafeRollout> ctx) {
      return observer.eventSources(ctx);
    }
  }

  /** A ReplicaSet's pod with the bulk a real one carries. */
  private static Pod deploymentPod(String namespace, String name) {
    String rs = name.substring(0, name.lastIndexOf('-'));
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Map.of("app", "web", "pod-template-hash", rs.substring(rs.indexOf('-') + 1)))
        .withAnnotations(Map.of("checksum/config", "x".repeat(200)))
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName(rs)
        .withUid("rs-" + rs)
        .withController(true)
        .endOwnerReference()
        .addNewManagedField()
        .withManager("kube-controller-manager")
        .withOperation("Update")
        .endManagedField()
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("web")
        .withImage("example/web:1")
        .addNewEnv()
        .withName("LOG_LEVEL")
        .withValue("info")
        .endEnv()
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep()
        .withSeconds(5L)
        .endSleep()
        .endPreStop()
        .endLifecycle()
        .endContainer()
        .addNewVolume()
        .withName("data")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .addNewContainerStatus()
        .withName("web")
        .withReady(true)
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
