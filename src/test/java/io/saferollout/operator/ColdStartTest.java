package io.saferollout.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ColdStartTest {
  @Test
  void rehearsingTheReconcilePathSucceedsWithoutARequest() {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    try (KubernetesClient client = server.createClient()) {
      var status = ColdStart.rehearse(client);

      assertThat(status.getAppliedChanges())
          .as("the sample needs hardening, so the rehearsal runs the apply and record steps")
          .isNotEmpty();
      assertThat(server.getRequestCount())
          .as("the warm-up is plain computation: no object of the cluster is read or written")
          .isZero();
    } finally {
      server.destroy();
    }
  }
}
