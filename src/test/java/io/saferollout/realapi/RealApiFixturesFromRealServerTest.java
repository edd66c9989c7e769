package io.saferollout.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.saferollout.api.Adoption;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutSpec;
import io.saferollout.api.TargetRef;
import io.saferollout.lab.controlplane.ControlPlane;
import io.saferollout.operator.OperatorSettings;
import io.saferollout.operator.SafeRolloutOperator;
import io.saferollout.rules.RealApiCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixtures under {@code src/test/resources/real-api} are what the real API server serves: each
 * fixture's input under {@code real-api/sent/} is written the way its tool writes it, and the
 * object {@code kubectl get -o yaml --show-managed-fields} prints must equal the fixture, save for
 * what differs on every run (uid, resourceVersion, timestamps, status, the order of managedFields
 * and the field set of the Deployment controller's status entry). With {@code
 * -Dreal-api.update=true} the fixtures are rewritten from the server instead, keeping each one's
 * header comment.
 */
@RealApiTest
class RealApiFixturesFromRealServerTest {

  static final Path FIXTURES = Path.of("src", "test", "resources", "real-api");
  static final boolean UPDATE = Boolean.getBoolean("real-api.update");
  static final String GENERATED =
      """
      # Generated from a real Kubernetes v1.37.2 API server, from sent/%s.yaml, by
      # RealApiFixturesFromRealServerTest (-Dreal-api.update=true rewrites it).""";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static RealClients clients;

  /** How each fixture's input reaches the server. */
  private static final Map<String, Writes> RECIPES =
      Map.ofEntries(
          Map.entry("kubectl-client-side-apply", Writes::kubectlClientSide),
          Map.entry("kubectl-client-side-apply-explicit-defaults", Writes::kubectlClientSide),
          Map.entry(
              "kubectl-server-side-apply",
              sent -> clients.kubectlApply(sent, "--server-side").succeeded()),
          Map.entry("helm-install", sent -> Writes.helmInstall(sent, "helm", "shop")),
          Map.entry("helm-upgrade", Writes::helmUpgradeAfterRestartAndScale),
          Map.entry(
              "argocd-client-side-sync",
              sent -> clients.kubectlApply(sent, "--field-manager=argocd-controller").succeeded()),
          Map.entry(
              "argocd-server-side-sync",
              sent -> clients.serverSideApply(sent, "argocd-controller")),
          Map.entry(
              "flux-kustomize-controller",
              sent -> clients.serverSideApply(sent, "kustomize-controller")),
          Map.entry(
              "flux-helm-controller",
              sent -> Writes.helmInstall(sent, "helm-controller", "podinfo")),
          Map.entry("saferollout-hardened", Writes::hardenedBySafeRollout),
          Map.entry("saferollout-hardened-then-kubectl-edit", Writes::hardenedThenKubectlEdit));

  @FunctionalInterface
  interface Writes {
    void write(Deployment sent);

    static void kubectlClientSide(Deployment sent) {
      clients.kubectlApply(sent).succeeded();
    }

    /**
     * What Helm 3 sends on install: a create of the rendered object, with its release annotations,
     * under the manager {@code helm}. (Helm names its manager after its executable; embedded in
     * this JVM, as helm-java runs it, that is {@code java}, so the requests are made here.)
     */
    static void helmInstall(Deployment sent, String manager, String release) {
      sent.getMetadata()
          .setAnnotations(
              Map.of(
                  "meta.helm.sh/release-name",
                  release,
                  "meta.helm.sh/release-namespace",
                  sent.getMetadata().getNamespace()));
      clients.kubectlWith(sent, "create", "--field-manager=" + manager).succeeded();
    }

    /**
     * helm install of the chart's previous version (image 9.3), {@code kubectl rollout restart},
     * the HPA's scale to 5 (the scale subresource under kube-controller-manager, as the HPA
     * controller writes it), then helm upgrade: Helm 3's three-way strategic-merge patch, which
     * here is the image alone (the chart sets no replicas, so the HPA's stay).
     */
    static void helmUpgradeAfterRestartAndScale(Deployment sent) {
      Deployment previous =
          new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(sent)
              .editSpec()
              .editTemplate()
              .editSpec()
              .editFirstContainer()
              .withImage("example/search:9.3")
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build();
      helmInstall(previous, "helm", "shop");
      String name = sent.getMetadata().getName();
      String ns = sent.getMetadata().getNamespace();
      clients.kubectl("rollout", "restart", "deployment/" + name, "-n", ns).succeeded();
      clients
          .kubectl(
              "patch",
              "deployment",
              name,
              "-n",
              ns,
              "--subresource=scale",
              "--type=merge",
              "-p",
              "{\"spec\":{\"replicas\":5}}",
              "--field-manager=kube-controller-manager")
          .succeeded();
      String image = sent.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
      clients
          .kubectl(
              "patch",
              "deployment",
              name,
              "-n",
              ns,
              "--type=strategic",
              "--field-manager=helm",
              "-p",
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"search\","
                  + "\"image\":\""
                  + image
                  + "\"}]}}}}")
          .succeeded();
    }

    static void hardenedBySafeRollout(Deployment sent) {
      kubectlClientSide(sent);
      completeTheRollout(sent);
      try (KubernetesClient client = cp.newAdminClient();
          SafeRolloutOperator operator =
              new SafeRolloutOperator(
                  client, OperatorSettings.singleInstance(), new SimpleMeterRegistry())) {
        operator.start();
        SafeRollout sr = new SafeRollout();
        sr.getMetadata().setName(sent.getMetadata().getName());
        sr.getMetadata().setNamespace(sent.getMetadata().getNamespace());
        SafeRolloutSpec spec = new SafeRolloutSpec();
        spec.setTarget(TargetRef.byName(sent.getMetadata().getName()));
        spec.setAdoption(Adoption.Immediately);
        sr.setSpec(spec);
        admin.resource(sr).create();
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertThat(managers(served(sent)))
                        .as(
                            "%s",
                            Serialization.asYaml(
                                admin
                                    .resources(SafeRollout.class)
                                    .inNamespace(sent.getMetadata().getNamespace())
                                    .withName(sent.getMetadata().getName())
                                    .get()))
                        .contains(OperatorSettings.FIELD_MANAGER));
      }
      // The operator is stopped: the SafeRollout goes without its finalizer's revert.
      admin
          .resources(SafeRollout.class)
          .inNamespace(sent.getMetadata().getNamespace())
          .withName(sent.getMetadata().getName())
          .edit(
              s -> {
                s.getMetadata().setFinalizers(List.of());
                return s;
              });
      admin.resources(SafeRollout.class).inNamespace(sent.getMetadata().getNamespace()).delete();
    }

    /**
     * No kubelet runs here, so the pods stay Pending and the rollout never completes, which
     * adoption Immediately waits for; the test reports the pods ready in the kubelet's place.
     */
    static void completeTheRollout(Deployment sent) {
      String ns = sent.getMetadata().getNamespace();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (Pod pod :
                    admin
                        .pods()
                        .inNamespace(ns)
                        .withLabels(sent.getSpec().getSelector().getMatchLabels())
                        .list()
                        .getItems()) {
                  if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                    continue;
                  }
                  pod.setStatus(
                      new PodStatusBuilder()
                          .withPhase("Running")
                          .addNewCondition()
                          .withType("Ready")
                          .withStatus("True")
                          .endCondition()
                          .build());
                  try {
                    admin.pods().inNamespace(ns).resource(pod).updateStatus();
                  } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != 409) {
                      throw e;
                    }
                    // The scheduler wrote the pod's status meanwhile: the next poll reads it again.
                  }
                }
                Deployment d = served(sent);
                return d.getStatus() != null
                    && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas())
                    && d.getSpec().getReplicas().equals(d.getStatus().getUpdatedReplicas());
              });
    }

    /**
     * kubectl edit sends the two-way strategic-merge patch between the object it showed and the
     * edited text, under the manager kubectl-edit: here, the tcpSocket handler replaced by exec.
     */
    static void hardenedThenKubectlEdit(Deployment sent) {
      hardenedBySafeRollout(sent);
      clients
          .kubectl(
              "patch",
              "deployment",
              sent.getMetadata().getName(),
              "-n",
              sent.getMetadata().getNamespace(),
              "--type=strategic",
              "--field-manager=kubectl-edit",
              "-p",
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
                  + "\"readinessProbe\":{\"exec\":{\"command\":[\"/app/bin/ready\"]},"
                  + "\"tcpSocket\":null}}]}}}}")
          .succeeded();
    }
  }

  @BeforeAll
  static void start(ControlPlane controlPlane) {
    cp = controlPlane;
    admin = cp.newAdminClient();
    clients = new RealClients(cp, admin);
    RealApi.installCrd(admin);
  }

  @AfterAll
  static void close() {
    if (admin != null) {
      admin.close();
    }
  }

  static List<String> fixtures() {
    return RealApiCorpus.FIXTURES;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void theFixtureIsWhatTheRealServerServes(String fixture) throws IOException {
    assertThat(RECIPES).containsKey(fixture);
    String[] sentDocs =
        Files.readString(FIXTURES.resolve("sent/" + fixture + ".yaml")).split("\n---\n");
    Deployment sent = SERIALIZATION.unmarshal(sentDocs[0], Deployment.class);
    String ns = sent.getMetadata().getNamespace();
    String nsText = null;
    try {
      if (sentDocs.length > 1) {
        admin.resource(SERIALIZATION.unmarshal(sentDocs[1], Namespace.class)).create();
      } else {
        RealApi.namespace(admin, ns);
      }
      RECIPES.get(fixture).write(sent);
      Deployment served = awaitObserved(sent);
      String deploymentText =
          clients
              .kubectl(
                  "get",
                  "deployment",
                  served.getMetadata().getName(),
                  "-n",
                  ns,
                  "-o",
                  "yaml",
                  "--show-managed-fields")
              .succeeded()
              .output();
      if (sentDocs.length > 1) {
        nsText = clients.kubectl("get", "namespace", ns, "-o", "yaml").succeeded().output();
      }
      Path file = FIXTURES.resolve(fixture + ".yaml");
      String current = Files.readString(file);
      String real =
          header(current, fixture) + deploymentText + (nsText == null ? "" : "---\n" + nsText);
      if (UPDATE) {
        Files.writeString(file, real);
      } else {
        assertThat(comparable(current)).as(fixture).isEqualTo(comparable(real));
      }
    } finally {
      cleanUp(fixture, ns, sentDocs.length > 1);
    }
  }

  /** The deployment once the Deployment controller has seen its last generation. */
  private static Deployment awaitObserved(Deployment sent) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Deployment d = served(sent);
              return d.getStatus() != null
                  && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration());
            });
    return served(sent);
  }

  static Deployment served(Deployment sent) {
    return admin
        .apps()
        .deployments()
        .inNamespace(sent.getMetadata().getNamespace())
        .withName(sent.getMetadata().getName())
        .get();
  }

  static List<String> managers(Deployment d) {
    return d.getMetadata().getManagedFields().stream().map(m -> m.getManager()).toList();
  }

  private static void cleanUp(String fixture, String ns, boolean ownNamespace) {
    admin.resources(SafeRollout.class).inNamespace(ns).delete();
    admin.apps().deployments().inNamespace(ns).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> admin.apps().deployments().inNamespace(ns).list().getItems().isEmpty());
    if (ownNamespace) {
      admin.namespaces().withName(ns).delete();
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> admin.namespaces().withName(ns).get() == null);
    }
  }

  /** The file's header comment, with the line saying where its body comes from. */
  static String header(String file, String fixture) {
    String generated = GENERATED.formatted(fixture);
    List<String> lines =
        file.lines()
            .takeWhile(l -> l.startsWith("#"))
            .filter(
                l ->
                    !l.startsWith("# Generated from a real")
                        && !l.startsWith("# RealApiFixturesFromRealServerTest"))
            .toList();
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l).append('\n'));
    return b.append(generated).append('\n').toString();
  }

  /** Each document without what differs on every run. */
  static List<JsonNode> comparable(String text) {
    String body = text.lines().dropWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n"));
    return java.util.Arrays.stream(body.split("\n---\n"))
        .map(doc -> (JsonNode) Serialization.unmarshal(doc, JsonNode.class))
        .map(RealApiFixturesFromRealServerTest::withoutRunSpecifics)
        .toList();
  }

  private static JsonNode withoutRunSpecifics(JsonNode doc) {
    ObjectNode tree = (ObjectNode) doc.deepCopy();
    tree.remove("status");
    ObjectNode meta = (ObjectNode) tree.get("metadata");
    for (String field : List.of("uid", "resourceVersion", "creationTimestamp")) {
      meta.remove(field);
    }
    if (meta.get("managedFields") != null) {
      // Which status fields the Deployment controller last wrote, and so where its entry sorts,
      // depends on when its status update landed.
      List<JsonNode> entries = new java.util.ArrayList<>();
      for (JsonNode entry : meta.get("managedFields")) {
        ObjectNode e = (ObjectNode) entry.deepCopy();
        e.remove("time");
        if ("status".equals(e.path("subresource").asText())) {
          e.remove("fieldsV1");
        }
        entries.add(e);
      }
      entries.sort(java.util.Comparator.comparing(JsonNode::toString));
      meta.putArray("managedFields").addAll(entries);
    }
    JsonNode templateAnnotations = tree.at("/spec/template/metadata/annotations");
    if (templateAnnotations.has("kubectl.kubernetes.io/restartedAt")) {
      ((ObjectNode) templateAnnotations).put("kubectl.kubernetes.io/restartedAt", "(a time)");
    }
    return tree;
  }
}
