package io.saferollout.operator;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SafeRollout operator running in process against a real Kubernetes API over HTTP (the fabric8
 * mock server in CRUD mode), with the server version of our choosing.
 */
final class OperatorHarness implements AutoCloseable {
  static final String NS = "shop";

  final KubernetesMockServer server;
  final KubernetesClient client;
  final SafeRolloutOperator operator;
  private final List<RecordedRequest> seen = new ArrayList<>();

  OperatorHarness(String serverVersion) {
    String[] v = serverVersion.split("\\.");
    // The mixed dispatcher answers fixed expectations first (the server registers /version from
    // the VersionInfo there) and hands everything else to the CRUD store.
    var expectations =
        new java.util.HashMap<
            io.fabric8.mockwebserver.ServerRequest,
            java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
    server =
        new KubernetesMockServer(
            new io.fabric8.mockwebserver.Context(),
            new io.fabric8.mockwebserver.MockWebServer(),
            expectations,
            new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(expectations),
            false,
            new VersionInfo.Builder()
                .withMajor(v[0])
                .withMinor(v[1])
                .withGitVersion("v" + serverVersion + ".0")
                .build());
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    installCrd(client);
    operator =
        new SafeRolloutOperator(
            client, OperatorSettings.singleInstance(), new SimpleMeterRegistry());
    operator.start();
  }

  /** The mock API serves a custom resource only once its CRD exists, like a real API server. */
  static void installCrd(KubernetesClient client) {
    try (var in =
        java.nio.file.Files.newInputStream(
            java.nio.file.Path.of("crd", SafeRollout.CRD_NAME + "-v1.yml"))) {
      client.apiextensions().v1().customResourceDefinitions().load(in).create();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Deployment deployment(String name, Map<String, String> labels) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(labels)
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
        .withPorts(new ContainerPortBuilder().withContainerPort(8080).withName("http").build())
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static SafeRollout safeRollout(String name, TargetRef target) {
    SafeRollout sr = new SafeRollout();
    sr.getMetadata().setName(name);
    sr.getMetadata().setNamespace(NS);
    SafeRolloutSpec spec = new SafeRolloutSpec();
    spec.setTarget(target);
    spec.getReadinessProbe().setPath("/healthz");
    sr.setSpec(spec);
    return sr;
  }

  Deployment create(Deployment d) {
    return client.apps().deployments().inNamespace(NS).resource(d).create();
  }

  SafeRollout create(SafeRollout sr) {
    return client.resources(SafeRollout.class).inNamespace(NS).resource(sr).create();
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  SafeRollout safeRollout(String name) {
    return client.resources(SafeRollout.class).inNamespace(NS).withName(name).get();
  }

  /** Every PATCH (and PUT) sent to this Deployment since the harness started. */
  long writesTo(String deployment) throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      seen.add(r);
    }
    return seen.stream()
        .filter(x -> x.getMethod().equals("PATCH") || x.getMethod().equals("PUT"))
        .filter(x -> x.getPath().contains("/deployments/" + deployment))
        .count();
  }

  /**
   * Every request to a path containing {@code part} since the harness started, as method and body.
   */
  List<RecordedRequest> requestsTo(String part) throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      seen.add(r);
    }
    return seen.stream().filter(x -> x.getPath().contains(part)).toList();
  }

  static Duration settle() {
    // Reconciles here take milliseconds; the margin covers a loaded 2-core CI machine.
    return Duration.ofSeconds(30);
  }

  @Override
  public void close() {
    operator.close();
    client.close();
    server.destroy();
  }
}
