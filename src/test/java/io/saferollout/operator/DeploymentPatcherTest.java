package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.saferollout.operator.DeploymentPatcher.ApplySupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What goes over the wire when SafeRollout patches a Deployment. */
class DeploymentPatcherTest {
  static final String PATH = "/apis/apps/v1/namespaces/shop/deployments/web";
  static final String READINESS = "spec.template.spec.containers[web].readinessProbe";
  static final String APPLY = PATH + "?fieldManager=saferollout&force=true";
  static final String JSON_PATCH = PATH + "?fieldManager=saferollout";

  /** As many first patches at once as JOSDK's reconcile threads could send. */
  static final int CONCURRENT_PATCHES = 8;

  KubernetesMockServer server;
  KubernetesClient client;
  Deployment current;
  Deployment desired;

  @BeforeEach
  void setUp() {
    server = new KubernetesMockServer(false);
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    current =
        new DeploymentBuilder(OperatorHarness.deployment("web", Map.of()))
            .editMetadata()
            .withResourceVersion("7")
            .endMetadata()
            .build();
    desired =
        new DeploymentBuilder(current)
            .editMetadata()
            .addToAnnotations(AppliedChangesRecord.HARDENED_BY, "web")
            .endMetadata()
            .editSpec()
            .withMinReadySeconds(5)
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/healthz")
            .withNewPort(8080)
            .endHttpGet()
            .endReadinessProbe()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    server.expect().get().withPath(PATH).andReturn(200, current).always();
  }

  /** The next PATCH the server received (the client may read the object first). */
  RecordedRequest nextPatch() throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
      if (r != null && r.getMethod().equals("PATCH")) {
        return r;
      }
    }
    throw new AssertionError("no PATCH request");
  }

  /**
   * Sends {@link #CONCURRENT_PATCHES} patches released at the same instant from as many threads, as
   * concurrent reconciles do after a burst of new SafeRollouts, and returns the content types of
   * the PATCH requests the server received.
   */
  List<String> patchConcurrently(DeploymentPatcher patcher) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CONCURRENT_PATCHES);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Deployment>> sent = new ArrayList<>();
      for (int i = 0; i < CONCURRENT_PATCHES; i++) {
        sent.add(
            threads.submit(
                () -> {
                  go.await();
                  return patcher.patch(current, desired, List.of(READINESS), false);
                }));
      }
      go.countDown();
      for (Future<Deployment> f : sent) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isNotNull();
      }
    } finally {
      threads.shutdownNow();
    }
    List<String> contentTypes = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      if (r.getMethod().equals("PATCH")) {
        contentTypes.add(r.getHeader("Content-Type").replaceFirst(";.*", ""));
      }
    }
    return contentTypes;
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  @Test
  void serverSideApplySendsOnlyTheFieldsSafeRolloutOwns() throws Exception {
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout&force=true")
        .andReturn(200, desired)
        .once();

    new DeploymentPatcher(client)
        .patch(current, desired, List.of(READINESS, "spec.minReadySeconds"), false);

    RecordedRequest apply = nextPatch();
    assertThat(apply.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
    JsonNode body = Serialization.jsonMapper().readTree(apply.getBody().readUtf8());
    assertThat(body.at("/spec/template/spec/containers")).hasSize(1);
    assertThat(body.at("/spec/template/spec/containers/0/name").asText())
        .as("list elements carry their merge key")
        .isEqualTo("web");
    assertThat(body.at("/spec/template/spec/containers/0/readinessProbe/httpGet/path").asText())
        .isEqualTo("/healthz");
    assertThat(body.at("/spec/template/spec/containers/0/image").isMissingNode())
        .as("the user's fields are not claimed")
        .isTrue();
    assertThat(body.at("/spec/replicas").isMissingNode()).as("replicas are never claimed").isTrue();
    assertThat(body.at("/spec/minReadySeconds").asInt()).isEqualTo(5);
    assertThat(body.at("/metadata/annotations/saferollout.io~1hardened-by").asText())
        .isEqualTo("web");
  }

  @Test
  void aServerWithoutApplyGetsAJsonPatchGuardedByTheResourceVersionFromThenOn() throws Exception {
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout&force=true")
        .andReturn(415, "")
        .once();
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout")
        .andReturn(200, desired)
        .times(2);
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    patcher.patch(current, desired, List.of(READINESS), false);
    patcher.patch(current, desired, List.of(READINESS), false);

    assertThat(nextPatch().getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
    for (int i = 0; i < 2; i++) {
      RecordedRequest patch = nextPatch();
      assertThat(patch.getHeader("Content-Type")).startsWith("application/json-patch+json");
      JsonNode ops = Serialization.jsonMapper().readTree(patch.getBody().readUtf8());
      assertThat(ops.get(0).toString())
          .isEqualTo("{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"}");
      assertThat(ops.toString())
          .contains("/spec/template/spec/containers/0/readinessProbe")
          .contains("/spec/minReadySeconds")
          .doesNotContain("\"/spec/replicas\"");
    }
    RecordedRequest more;
    while ((more = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      assertThat(more.getMethod())
          .as("apply is not tried again once refused")
          .isNotEqualTo("PATCH");
    }
  }

  @Test
  void removingAUsersFieldNeverGoesThroughApply() throws Exception {
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout")
        .andReturn(200, current)
        .once();

    new DeploymentPatcher(client).patch(desired, current, List.of(), true);

    RecordedRequest patch = nextPatch();
    assertThat(patch.getHeader("Content-Type")).startsWith("application/json-patch+json");
    assertThat(patch.getBody().readUtf8()).contains("\"op\":\"remove\"");
  }

  @Test
  void aReleasedHandlerIsLeftOutOfTheApplyBodyAndRemovedByTheJsonPatchFallback() throws Exception {
    // SafeRollout recorded the httpGet probe; the user then set an exec probe next to it.
    java.util.List<io.saferollout.rules.Change> recorded =
        java.util.List.of(
            io.saferollout.rules.Change.fromText(
                io.saferollout.rules.Rule.SR001,
                READINESS,
                null,
                Serialization.jsonMapper()
                    .writeValueAsString(
                        desired
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getReadinessProbe()),
                "r"));
    Deployment twoHandlers =
        new DeploymentBuilder(desired)
            .editMetadata()
            .addToAnnotations(AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(recorded))
            .endMetadata()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editReadinessProbe()
            .withNewExec()
            .withCommand("/app/ready")
            .endExec()
            .endReadinessProbe()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Deployment released =
        new DeploymentBuilder(twoHandlers)
            .editMetadata()
            .addToAnnotations(
                AppliedChangesRecord.ANNOTATION, AppliedChangesRecord.write(java.util.List.of()))
            .endMetadata()
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .editReadinessProbe()
            .withHttpGet(null)
            .endReadinessProbe()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout&force=true")
        .andReturn(415, "")
        .once();
    server
        .expect()
        .patch()
        .withPath(PATH + "?fieldManager=saferollout")
        .andReturn(200, released)
        .once();
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    // The record merged with the release no longer lists the probe: only minReadySeconds is owned.
    patcher.patch(twoHandlers, released, List.of("spec.minReadySeconds"), false);

    JsonNode apply = Serialization.jsonMapper().readTree(nextPatch().getBody().readUtf8());
    assertThat(apply.at("/spec/template/spec/containers").isMissingNode())
        .as("the released probe is not in the apply body, so apply gives it up")
        .isTrue();
    assertThat(apply.at("/spec/minReadySeconds").asInt()).isEqualTo(5);
    JsonNode ops = Serialization.jsonMapper().readTree(nextPatch().getBody().readUtf8());
    assertThat(ops.toString())
        .contains(
            "{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/0/readinessProbe/httpGet\"}")
        .doesNotContain("/readinessProbe/exec");
  }

  @Test
  void concurrentFirstPatchesAskAServerWithoutApplyOnceAndWaitForItsAnswer() throws Exception {
    // The refusal is slow to come back, as under load: every patch that did not wait for it would
    // have sent its own doomed apply by then.
    server.expect().patch().delay(500).withPath(APPLY).andReturn(415, "").always();
    server.expect().patch().withPath(JSON_PATCH).andReturn(200, desired).always();
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    List<String> contentTypes = patchConcurrently(patcher);

    assertThat(contentTypes)
        .as("one apply learns the server's answer; every patch then goes as a JSON patch")
        .containsOnlyOnce("application/apply-patch+yaml")
        .filteredOn("application/json-patch+json"::equals)
        .hasSize(CONCURRENT_PATCHES);
    assertThat(patcher.applySupport()).isEqualTo(ApplySupport.UNSUPPORTED);
  }

  @Test
  void concurrentFirstPatchesAgainstAServerWithApplyAllGoAsApply() throws Exception {
    server.expect().patch().delay(500).withPath(APPLY).andReturn(200, desired).always();
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    List<String> contentTypes = patchConcurrently(patcher);

    assertThat(contentTypes)
        .hasSize(CONCURRENT_PATCHES)
        .containsOnly("application/apply-patch+yaml");
    assertThat(patcher.applySupport()).isEqualTo(ApplySupport.SUPPORTED);
  }

  @Test
  void aFailedApplyOtherThan415IsNotTakenForMissingSupport() throws Exception {
    server.expect().patch().withPath(APPLY).andReturn(503, "").once();
    server.expect().patch().withPath(APPLY).andReturn(200, desired).always();
    // Without the client's own retries of 5xx, the 503 reaches the patcher.
    try (KubernetesClient noRetries =
        server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig())) {
      DeploymentPatcher patcher = new DeploymentPatcher(noRetries);

      assertThatThrownBy(() -> patcher.patch(current, desired, List.of(READINESS), false))
          .isInstanceOf(KubernetesClientException.class)
          .extracting(e -> ((KubernetesClientException) e).getCode())
          .isEqualTo(503);
      assertThat(patcher.applySupport()).isEqualTo(ApplySupport.UNKNOWN);
      patcher.patch(current, desired, List.of(READINESS), false);
      assertThat(patcher.applySupport()).isEqualTo(ApplySupport.SUPPORTED);
    }
    RecordedRequest r;
    List<String> contentTypes = new ArrayList<>();
    while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      if (r.getMethod().equals("PATCH")) {
        contentTypes.add(r.getHeader("Content-Type").replaceFirst(";.*", ""));
      }
    }
    assertThat(contentTypes)
        .as("the retry after a 503 is an apply again, not a JSON patch")
        .containsExactly("application/apply-patch+yaml", "application/apply-patch+yaml");
  }

  @Test
  void only415MeansTheServerLacksApply() {
    assertThat(DeploymentPatcher.shownBy(new KubernetesClientException("", 415, null)))
        .isEqualTo(ApplySupport.UNSUPPORTED);
    for (int transientOrPerObject : new int[] {0, 403, 409, 422, 429, 500, 503, 504}) {
      assertThat(
              DeploymentPatcher.shownBy(
                  new KubernetesClientException("", transientOrPerObject, null)))
          .as("HTTP %d", transientOrPerObject)
          .isEqualTo(ApplySupport.UNKNOWN);
    }
  }
}
