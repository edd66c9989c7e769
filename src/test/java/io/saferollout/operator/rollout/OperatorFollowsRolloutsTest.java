package io.saferollout.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.DataPlaneSource;
import io.saferollout.api.Mode;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutOutcome;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The running operator follows a rollout through its own event sources: pod and EndpointSlice
 * changes reach the SafeRollout, whose status ends with one record of the rollout.
 */
class OperatorFollowsRolloutsTest {
  static final String NS = "shop";

  /** Generous for a loaded machine: each step is one watch event and one reconcile. */
  static final Duration SETTLE = Duration.ofSeconds(30);

  KubernetesMockServer server;
  KubernetesClient client;
  SafeRolloutOperator operator;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws IOException {
    var expectations = new HashMap<ServerRequest, Queue<ServerResponse>>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false,
            new VersionInfo.Builder()
                .withMajor("1")
                .withMinor("34")
                .withGitVersion("v1.34.0")
                .build());
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    try (InputStream crd = Files.newInputStream(Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
    operator = new SafeRolloutOperator(client, OperatorSettings.singleInstance(), meters);
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.close();
    client.close();
    server.destroy();
  }

  @Test
  void aRolloutIsFollowedFromItsPodsAndSlicesToOneRecord() {
    client.resource(deployment(1, 2, "1")).create();
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName("web");
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    // Audit: the operator patches nothing, so only this test moves the Deployment.
    spec.setMode(Mode.Audit);
    spec.getPreStop().getDataPlane().setSource(DataPlaneSource.None);
    sr.setSpec(spec);
    client.resource(sr).create();
    await().atMost(SETTLE).until(() -> status() != null && status().getTargets().contains("web"));

    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web-abc-1")
                .withNamespace(NS)
                .withFinalizers("test.saferollout.io/graceful")
                .withLabels(Map.of("app", "web", "pod-template-hash", "abc"))
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName("web-abc")
                .withUid("rs")
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("example/web:1")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build())
        .create();
    client.resource(slice(true)).create();

    client.resource(deployment(2, 0, "2")).update();
    await().atMost(SETTLE).until(() -> !status().getActiveRollouts().isEmpty());

    client.pods().inNamespace(NS).withName("web-abc-1").delete();
    client.resource(slice(false)).update();
    client
        .pods()
        .inNamespace(NS)
        .withName("web-abc-1")
        .edit(p -> new PodBuilder(p).editMetadata().withFinalizers().endMetadata().build());
    client.resource(deployment(2, 2, "2")).update();

    await()
        .atMost(SETTLE)
        .until(() -> status().getActiveRollouts().isEmpty() && !status().getRollouts().isEmpty());
    assertThat(status().getRollouts())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRevision()).isEqualTo("2");
              assertThat(r.getOutcome()).isEqualTo(RolloutOutcome.Complete);
              assertThat(r.getPodsReplaced()).isEqualTo(1);
              assertThat(r.getEndpointRemovalMs().getP99()).isNotNull();
            });
    assertThat(status().getPreStopTuning().getRecommendedSeconds()).isNotNull();
    assertThat(meters.find("operator.sdk.controllers.execution.reconcile").timers())
        .as("JOSDK's own reconcile meters are on the operator's registry")
        .isNotEmpty();
  }

  @Test
  void anUnreachableNodeMetricsEndpointIsAConditionAnEventAndPreStopStaysAtDelaySeconds()
      throws IOException {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-1")
                .endMetadata()
                .withNewStatus()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("127.0.0.1")
                .endAddress()
                .endStatus()
                .build())
        .create();
    client.resource(deployment(1, 2, "1")).create();
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName("web");
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(TargetRef.byName("web"));
    spec.setMode(Mode.Audit);
    spec.getPreStop().setMode(PreStopMode.Auto);
    int closed;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    spec.getPreStop()
        .getDataPlane()
        .setMetricsUrlTemplate("http://{nodeIP}:" + closed + "/metrics");
    sr.setSpec(spec);
    client.resource(sr).create();

    await().atMost(SETTLE).until(() -> status() != null && condition("DataPlaneMeasured") != null);
    Condition measured = condition("DataPlaneMeasured");
    assertThat(measured.getStatus()).isEqualTo("False");
    assertThat(measured.getReason()).isEqualTo("DataPlaneUnreadable");
    assertThat(measured.getMessage()).contains("node node-1");
    assertThat(status().getPreStopTuning().getInForceSeconds())
        .as("Auto without data-plane evidence keeps delaySeconds")
        .isGreaterThanOrEqualTo(15);

    // Another reconcile (the Deployment's status moves) records no second Event.
    double before = reconciles();
    client
        .resource(deployment(1, 2, "1"))
        .edit(
            d -> {
              d.getStatus().setObservedGeneration(1L);
              d.getMetadata().getAnnotations().put("touched", "yes");
              return d;
            });
    await().atMost(SETTLE).until(() -> reconciles() > before);
    assertThat(
            client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "DataPlaneNotMeasured".equals(e.getReason())))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("node node-1");
            });
  }

  private double reconciles() {
    return meters.find("operator.sdk.controllers.execution.reconcile").timers().stream()
        .mapToDouble(t -> t.count())
        .sum();
  }

  private Condition condition(String type) {
    return status().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private io.saferollout.api.SafeRolloutStatus status() {
    SafeRollout current = client.resources(SafeRollout.class).inNamespace(NS).withName("web").get();
    return current == null ? null : current.getStatus();
  }

  private EndpointSlice slice(boolean ready) {
    String uid = client.pods().inNamespace(NS).withName("web-abc-1").get().getMetadata().getUid();
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName("web-x")
        .withNamespace(NS)
        .withLabels(Map.of("kubernetes.io/service-name", "web"))
        .endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(
            new EndpointBuilder()
                .withAddresses("10.0.0.1")
                .withNewConditions()
                .withReady(ready)
                .endConditions()
                .withTargetRef(
                    new ObjectReferenceBuilder()
                        .withKind("Pod")
                        .withNamespace(NS)
                        .withName("web-abc-1")
                        .withUid(uid)
                        .build())
                .build())
        .build();
  }

  private static Deployment deployment(long generation, int updated, String revision) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace(NS)
        .withGeneration(generation)
        .withAnnotations(Map.of(RolloutObserver.REVISION, revision))
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web")).build())
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("example/web:" + generation)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(generation)
        .withReplicas(2)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(updated)
        .withReadyReplicas(2)
        .endStatus()
        .build();
  }
}
