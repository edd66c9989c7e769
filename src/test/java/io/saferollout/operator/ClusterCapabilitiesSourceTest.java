package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.saferollout.rules.ClusterCapabilities;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Capabilities come from the oldest kubelet, and from the API server when Nodes cannot be read. */
class ClusterCapabilitiesSourceTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void setUp() {
    // The mock server answers /version from the VersionInfo it is built with.
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
                .withMinor("31")
                .withGitVersion("v1.31.4")
                .build());
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  @Test
  void anOldNodePoolKeepsTheSleepActionAndNativeSidecarsOff() {
    server
        .expect()
        .get()
        .withPath("/api/v1/nodes")
        .andReturn(
            200,
            new NodeListBuilder()
                .addToItems(node("new", "v1.31.4"), node("old", "v1.28.15-gke.1020000"))
                .build())
        .always();

    ClusterCapabilities caps =
        new ClusterCapabilitiesSource(client, Duration.ofMinutes(5)).current();

    assertThat(caps).isEqualTo(new ClusterCapabilities(1, 28));
    assertThat(caps.sleepAction()).isFalse();
  }

  @Test
  void withoutNodeAccessTheApiServersVersionIsUsed() {
    server.expect().get().withPath("/api/v1/nodes").andReturn(403, "forbidden").always();

    assertThat(new ClusterCapabilitiesSource(client, Duration.ofMinutes(5)).current())
        .isEqualTo(new ClusterCapabilities(1, 31));
  }

  @Test
  void whenAnAccessReviewSaysNodesMayNotBeListedTheyAreNotAsked() {
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        .andReturn(
            201,
            new SelfSubjectAccessReviewBuilder()
                .withNewStatus()
                .withAllowed(false)
                .endStatus()
                .build())
        .always();
    server.expect().get().withPath("/api/v1/nodes").andReturn(403, "forbidden").always();

    assertThat(new ClusterCapabilitiesSource(client, Duration.ofMinutes(5)).current())
        .isEqualTo(new ClusterCapabilities(1, 31));
    assertThat(requestedPaths()).doesNotContain("/api/v1/nodes");
  }

  @Test
  void whenAnAccessReviewAllowsItTheNodesAreRead() {
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        .andReturn(
            201,
            new SelfSubjectAccessReviewBuilder()
                .withNewStatus()
                .withAllowed(true)
                .endStatus()
                .build())
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/nodes")
        .andReturn(200, new NodeListBuilder().addToItems(node("old", "v1.28.3")).build())
        .always();

    assertThat(new ClusterCapabilitiesSource(client, Duration.ofMinutes(5)).current())
        .isEqualTo(new ClusterCapabilities(1, 28));
  }

  private java.util.List<String> requestedPaths() {
    java.util.List<String> paths = new java.util.ArrayList<>();
    for (int i = server.getRequestCount(); i > 0; i--) {
      try {
        var request = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
        if (request != null) {
          paths.add(request.getPath());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return paths;
  }

  private static io.fabric8.kubernetes.api.model.Node node(String name, String kubelet) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withNewNodeInfo()
        .withKubeletVersion(kubelet)
        .endNodeInfo()
        .endStatus()
        .build();
  }
}
