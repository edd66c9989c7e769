package io.saferollout.lab.cluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the lab's API answers to server-side apply and updates of a Deployment, over HTTP. */
class ServerSideApplyTest {

  private static final String NS = "shop";
  private final ApiServerFixture api = new ApiServerFixture(LabApiServer.Defaulting.KUBERNETES);

  @AfterEach
  void close() {
    api.close();
  }

  private static String web(String extraSpec, String containerExtra) {
    return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
                 "spec":{%s"selector":{"matchLabels":{"app":"web"}},
                  "template":{"metadata":{"labels":{"app":"web"}},
                   "spec":{"containers":[{"name":"web","image":"example/web:1"%s}]}}}}
                """
        .formatted(extraSpec, containerExtra);
  }

  /** Applies the exact body, as kubectl apply --server-side or Argo CD would send it. */
  private Deployment apply(String manager, String body, boolean force) {
    var resource =
        api.client
            .genericKubernetesResources("apps/v1", "Deployment")
            .inNamespace(NS)
            .resource(Serialization.unmarshal(body, GenericKubernetesResource.class))
            .fieldManager(manager);
    var applied = force ? resource.forceConflicts().serverSideApply() : resource.serverSideApply();
    return Serialization.jsonMapper().convertValue(applied, Deployment.class);
  }

  private Deployment get() {
    return api.client.apps().deployments().inNamespace(NS).withName("web").get();
  }

  private static Optional<JsonNode> fields(Deployment d, String manager, String operation) {
    return d.getMetadata().getManagedFields().stream()
        .filter(e -> e.getManager().equals(manager) && e.getOperation().equals(operation))
        .map(ManagedFieldsEntry::getFieldsV1)
        .map(f -> (JsonNode) Serialization.jsonMapper().valueToTree(f))
        .findFirst();
  }

  private static JsonNode at(JsonNode node, String... tokens) {
    for (String t : tokens) {
      node = node.path(t);
    }
    return node;
  }

  @Test
  void applyCreatesTheObjectAndRecordsExactlyTheAppliedFields() {
    Deployment created = apply("argocd-controller", web("\"replicas\":3,", ""), false);

    assertThat(created.getSpec().getReplicas()).isEqualTo(3);
    JsonNode set = fields(created, "argocd-controller", "Apply").orElseThrow();
    assertThat(at(set, "f:spec", "f:replicas").isObject()).isTrue();
    JsonNode container =
        at(set, "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}");
    assertThat(container.has(".")).as("a list element is a member itself").isTrue();
    assertThat(container.has("f:image")).isTrue();
    // Defaults fill in after the merge and belong to nobody (server-side apply docs, "Defaulting").
    assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal())
        .isEqualTo("25%");
    assertThat(at(set, "f:spec", "f:strategy").isMissingNode()).isTrue();
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void anUpdateWriterOwnsTheDefaultsItsWriteCaused() {
    Deployment d = Serialization.unmarshal(web("", ""), Deployment.class);
    api.client.apps().deployments().inNamespace(NS).resource(d).create();

    // No fieldManager: the server names the manager after the User-Agent (rest.go
    // prefixFromUserAgent).
    JsonNode set = fields(get(), "fabric8-kubernetes-client", "Update").orElseThrow();
    assertThat(at(set, "f:spec", "f:strategy", "f:rollingUpdate", "f:maxUnavailable").isObject())
        .isTrue();
    assertThat(
            at(set, "f:spec", "f:template", "f:spec", "f:terminationGracePeriodSeconds").isObject())
        .isTrue();
    assertThat(get().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(30L);
  }

  @Test
  void changingAnotherManagersFieldIsA409NamingFieldAndManagerUnlessForced() {
    apply("helm", web("\"replicas\":3,", ""), false);

    assertThatThrownBy(() -> apply("saferollout", web("\"replicas\":5,", ""), false))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "Apply failed with 1 conflict: conflict with \"helm\": .spec.replicas");
              assertThat(e.getStatus().getDetails().getCauses())
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c.getReason()).isEqualTo("FieldManagerConflict");
                        assertThat(c.getField()).isEqualTo(".spec.replicas");
                      });
            });
    assertThat(get().getSpec().getReplicas()).isEqualTo(3);

    Deployment forced = apply("saferollout", web("\"replicas\":5,", ""), true);
    assertThat(forced.getSpec().getReplicas()).isEqualTo(5);
    assertThat(
            at(fields(forced, "helm", "Apply").orElseThrow(), "f:spec", "f:replicas")
                .isMissingNode())
        .as("force takes the field from its owner")
        .isTrue();
  }

  @Test
  void applyingTheSameValueSharesOwnershipWithoutConflict() {
    apply("helm", web("\"replicas\":3,", ""), false);
    Deployment both = apply("saferollout", web("\"replicas\":3,", ""), false);

    assertThat(at(fields(both, "helm", "Apply").orElseThrow(), "f:spec", "f:replicas").isObject())
        .isTrue();
    assertThat(
            at(fields(both, "saferollout", "Apply").orElseThrow(), "f:spec", "f:replicas")
                .isObject())
        .isTrue();
  }

  @Test
  void aFieldTheApplierNoLongerSendsIsRemovedUnlessAnotherManagerOwnsIt() {
    String env = ",\"env\":[{\"name\":\"MODE\",\"value\":\"fast\"}]";
    apply("helm", web("", env), false);
    apply(
        "saferollout", web("", ",\"lifecycle\":{\"preStop\":{\"sleep\":{\"seconds\":5}}}"), false);

    Deployment released = apply("helm", web("", ""), false);
    var container = released.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv()).as("released and owned by nobody else: removed").isEmpty();
    assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
    assertThat(container.getImage())
        .as("still owned by saferollout, who applied it too")
        .isEqualTo("example/web:1");

    Deployment gone =
        apply(
            "saferollout",
            """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"}}""",
            false);
    assertThat(gone.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle())
        .as("an emptied lifecycle goes with the released hook")
        .isNull();
  }

  @Test
  void twoManagersOwningDifferentHandlersOfOneProbeIs422() {
    apply(
        "saferollout",
        web("", ",\"readinessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":8080}}"),
        false);

    assertThatThrownBy(
            () ->
                apply(
                    "argocd-controller",
                    web("", ",\"readinessProbe\":{\"tcpSocket\":{\"port\":8080}}"),
                    false))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "Deployment.apps \"web\" is invalid: "
                          + "spec.template.spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type");
            });
  }

  @Test
  void generationMovesOnlyWithTheSpecAndANoOpApplyWritesNothing() {
    Deployment first = apply("argocd-controller", web("", ""), false);
    Deployment same = apply("argocd-controller", web("", ""), false);
    assertThat(same.getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());

    Deployment annotated =
        apply(
            "argocd-controller",
            web("", "")
                .replace(
                    "\"namespace\":\"shop\"",
                    "\"namespace\":\"shop\",\"annotations\":{\"team\":\"a\"}"),
            false);
    assertThat(annotated.getMetadata().getGeneration()).isEqualTo(1L);
    Deployment changed = apply("argocd-controller", web("", "").replace("web:1", "web:2"), false);
    assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void portsMergeByContainerPortAndProtocol() {
    apply("helm", web("", ",\"ports\":[{\"containerPort\":8080}]"), false);
    Deployment merged =
        apply(
            "saferollout",
            web(
                "",
                ",\"ports\":[{\"containerPort\":8080,\"protocol\":\"UDP\"},{\"containerPort\":9090}]"),
            false);

    assertThat(merged.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .extracting(p -> p.getContainerPort() + "/" + p.getProtocol())
        .containsExactly("8080/TCP", "8080/UDP", "9090/TCP");
    JsonNode helm =
        at(
            fields(merged, "helm", "Apply").orElseThrow(),
            "f:spec",
            "f:template",
            "f:spec",
            "f:containers",
            "k:{\"name\":\"web\"}",
            "f:ports");
    assertThat(helm.has("k:{\"containerPort\":8080,\"protocol\":\"TCP\"}")).isTrue();
  }

  @Test
  void aPatchIsAnUpdateThatTakesTheFieldsItChanges() {
    apply("argocd-controller", web("\"replicas\":2,", ""), false);

    api.client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.JSON_MERGE)
                .withFieldManager("kubectl-edit")
                .build(),
            "{\"spec\":{\"replicas\":4}}");

    Deployment d = get();
    assertThat(d.getSpec().getReplicas()).isEqualTo(4);
    assertThat(
            at(fields(d, "kubectl-edit", "Update").orElseThrow(), "f:spec", "f:replicas")
                .isObject())
        .isTrue();
    assertThat(
            at(fields(d, "argocd-controller", "Apply").orElseThrow(), "f:spec", "f:replicas")
                .isMissingNode())
        .isTrue();
    // The applier now conflicts with the editor, as Argo CD does after a kubectl edit.
    assertThatThrownBy(() -> apply("argocd-controller", web("\"replicas\":2,", ""), false))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void statusWritesKeepTheOwnersAndMainResourceWritesCannotChangeStatus() {
    apply("helm", web("\"replicas\":2,", ""), false);
    Deployment withStatus = get();
    withStatus.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(2).build());
    api.client.apps().deployments().inNamespace(NS).resource(withStatus).updateStatus();
    assertThat(fields(get(), "helm", "Apply")).as("a status write keeps the owners").isPresent();

    Deployment edited = get();
    edited.getSpec().setReplicas(3);
    edited.getStatus().setReplicas(99);
    api.client.apps().deployments().inNamespace(NS).resource(edited).update();

    Deployment d = get();
    assertThat(d.getStatus().getReplicas())
        .as("status is the status subresource's, not the main resource's")
        .isEqualTo(2);
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(
            at(
                    fields(d, "fabric8-kubernetes-client", "Update").orElseThrow(),
                    "f:spec",
                    "f:replicas")
                .isObject())
        .isTrue();
  }

  @Test
  void aStrategicMergePatchMergesContainersByName() {
    apply("helm", web("", ""), false);

    api.client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.STRATEGIC_MERGE)
                .withFieldManager("kubectl-patch")
                .build(),
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"proxy\",\"image\":\"envoy:1\"}]}}}}");

    assertThat(get().getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("web", "proxy");
  }

  @Test
  void aDryRunApplyAnswersTheMergedObjectAndStoresNothing() {
    Deployment stored = apply("helm", web("\"replicas\":2,", ""), false);

    var preview =
        api.client
            .genericKubernetesResources("apps/v1", "Deployment")
            .inNamespace(NS)
            .resource(
                Serialization.unmarshal(
                    web("\"replicas\":4,", ""), GenericKubernetesResource.class))
            .dryRun()
            .fieldManager("helm")
            .serverSideApply();

    assertThat(
            Serialization.jsonMapper()
                .convertValue(preview, Deployment.class)
                .getSpec()
                .getReplicas())
        .isEqualTo(4);
    assertThat(get().getSpec().getReplicas()).isEqualTo(2);
    assertThat(get().getMetadata().getResourceVersion())
        .isEqualTo(stored.getMetadata().getResourceVersion());
  }
}
