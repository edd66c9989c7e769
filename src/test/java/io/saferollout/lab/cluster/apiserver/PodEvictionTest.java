package io.saferollout.lab.cluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.saferollout.lab.cluster.NodeDrain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pods/eviction subresource and PodDisruptionBudgets, over HTTP. */
class PodEvictionTest {

  private static final String NS = "shop";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final ApiServerFixture api = new ApiServerFixture(LabApiServer.Defaulting.NONE);

  @AfterEach
  void close() {
    api.close();
  }

  private void readyPod(String name, String node) {
    api.client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("web")
                .withImage("example/web:1")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build())
        .create();
  }

  private void budget(IntOrString minAvailable) {
    api.client
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withMinAvailable(minAvailable)
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .endSpec()
                .build())
        .create();
  }

  private HttpResponse<String> evict(String pod) throws Exception {
    String body =
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\""
            + pod
            + "\",\"namespace\":\""
            + NS
            + "\"}}";
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    api.server.url("/api/v1/namespaces/" + NS + "/pods/" + pod + "/eviction")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> pods() {
    return api.client.pods().inNamespace(NS).list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Test
  void evictionDeletesThePodWhileTheBudgetAllowsAndAnswers429WhenItWouldBeViolated()
      throws Exception {
    readyPod("a", "node-1");
    readyPod("b", "node-1");
    readyPod("c", "node-2");
    budget(new IntOrString(2));

    assertThat(evict("a").statusCode()).isEqualTo(201);
    assertThat(pods()).containsExactly("b", "c");

    HttpResponse<String> refused = evict("b");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body())
        .contains("Cannot evict pod as it would violate the pod's disruption budget.")
        .contains("The disruption budget web needs 2 healthy pods and has 2 currently");
    assertThat(pods()).containsExactly("b", "c");
  }

  @Test
  void aPercentageBudgetRoundsUpAndWithoutABudgetEveryPodMayGo() throws Exception {
    readyPod("a", "node-1");
    readyPod("b", "node-1");
    assertThat(evict("a").statusCode()).as("no budget selects the pod").isEqualTo(201);

    readyPod("c", "node-1");
    readyPod("d", "node-1");
    // minAvailable 50% of three pods with no controller: a bare pod counts for nothing in the
    // controller scale, so the budget expects 0 and allows every disruption.
    budget(new IntOrString("50%"));
    assertThat(evict("b").statusCode()).isEqualTo(201);
    assertThat(evict("zzz").statusCode()).isEqualTo(404);
  }

  @Test
  void drainRetries429sUntilAReplacementIsReadyAndStopsAtItsDeadline() throws Exception {
    readyPod("a", "node-1");
    readyPod("b", "node-1");
    readyPod("c", "node-2");
    budget(new IntOrString(2));
    try (NodeDrain drain = new NodeDrain(api.client, Duration.ofMillis(50))) {
      NodeDrain.Result stuck = drain.evict(drain.podsOn(NS, "node-1"), Duration.ofMillis(500));
      assertThat(stuck.evicted()).hasSize(1);
      assertThat(stuck.refused()).hasSize(1);
      assertThat(stuck.tooManyRequests()).isPositive();

      List<Pod> left = drain.podsOn(NS, "node-1");
      // A replacement on another node becomes ready a moment later, as the ReplicaSet's would.
      CompletableFuture<Void> replacement =
          CompletableFuture.runAsync(
              () -> {
                try {
                  Thread.sleep(300);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                readyPod("d", "node-2");
              });
      // Generous deadline: the replacement lands after 0.3 s; a loaded machine may take seconds.
      NodeDrain.Result done = drain.evict(left, Duration.ofSeconds(30));
      replacement.join();
      assertThat(done.complete()).isTrue();
      assertThat(drain.podsOn(NS, "node-1")).isEmpty();
    }
  }
}
