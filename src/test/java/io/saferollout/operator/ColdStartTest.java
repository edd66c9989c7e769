package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ColdStartTest {
  @Test
  void warmingUpTheReconcilePathSendsNoRequest() {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient()) {
      ColdStart.warmUp(client);

      assertThat(server.getRequestCount())
          .as("the warm-up is plain computation: no object of the cluster is read or written")
          .isZero();
    } finally {
      server.destroy();
    }
  }
}
