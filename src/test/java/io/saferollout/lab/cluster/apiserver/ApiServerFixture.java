package io.saferollout.lab.cluster.apiserver;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/** The lab's API server alone, without controllers: for tests of what the API itself answers. */
final class ApiServerFixture implements AutoCloseable {

  final KubernetesMockServer server;
  final KubernetesClient client;

  ApiServerFixture(LabApiServer.Defaulting defaulting) {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            expectations,
            new LabApiServer(new KubernetesMixedDispatcher(expectations), defaulting),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
