package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.saferollout.lab.cluster.LabCluster;
import io.saferollout.lab.cluster.LabEvent;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two labs that give pods the same address used to hang: the second app could not listen, and
 * nothing said so until a setup timeout two minutes later. Now the container fails at once, the
 * pod's status and events say why, and the kubelet restarts it with back-off until it can listen.
 */
@io.saferollout.WallClockTest
class PodAppStartFailureTest {

  /** Far beyond the second or so this takes, and far below the two minutes it used to hang. */
  private static final Duration PROMPTLY = Duration.ofSeconds(30);

  /** Covers the kubelet's 10 s back-off before the restart that succeeds, on a loaded machine. */
  private static final Duration RECOVERS = Duration.ofSeconds(90);

  /**
   * A range no other test uses, so that this test knows which address comes next (the allocator
   * cycles).
   */
  private static final int POD_NETWORK = 201;

  private final Vertx vertx = Vertx.vertx();
  private final List<LabEvent> events = new CopyOnWriteArrayList<>();
  private LabCluster lab;
  private KubernetesClient client;

  @AfterEach
  void stop() throws Exception {
    if (lab != null) {
      lab.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("lab")
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(2L)
        .addToContainers(
            new ContainerBuilder()
                .withName("web")
                .withImage("lab/web:v1")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .withReadinessProbe(
                    new ProbeBuilder()
                        .withNewHttpGet()
                        .withPath("/healthz")
                        .withPort(new IntOrString("http"))
                        .endHttpGet()
                        .withPeriodSeconds(1)
                        .build())
                .build())
        .endSpec()
        .build();
  }

  private Pod get(String name) {
    return client.pods().inNamespace("lab").withName(name).get();
  }

  private ContainerStatus web(String name) {
    Pod pod = get(name);
    return pod == null
            || pod.getStatus() == null
            || pod.getStatus().getContainerStatuses().isEmpty()
        ? null
        : pod.getStatus().getContainerStatuses().get(0);
  }

  private static boolean ready(ContainerStatus status) {
    return status != null && Boolean.TRUE.equals(status.getReady());
  }

  @Test
  void aContainerThatCannotListenFailsAtOnceWithTheReasonAndRecoversOnceTheAddressIsFree()
      throws Exception {
    lab =
        LabCluster.builder()
            .runtime(new PodAppRuntime(vertx, 1))
            .podNetwork(POD_NETWORK)
            .events(events::add)
            .start();
    client = lab.newClient();
    client.pods().resource(pod("first")).create();
    await().atMost(RECOVERS).until(() -> ready(web("first")));
    String[] ip = get("first").getStatus().getPodIP().split("\\.");
    String nextIp = ip[0] + "." + ip[1] + "." + ip[2] + "." + (Integer.parseInt(ip[3]) + 1);

    String reason = "listen tcp " + nextIp + ":8080: bind: address already in use";
    try (ServerSocket otherLab = new ServerSocket()) {
      otherLab.bind(new InetSocketAddress(nextIp, 8080));
      client.pods().resource(pod("second")).create();

      await()
          .atMost(PROMPTLY)
          .until(() -> events.stream().anyMatch(e -> e.kind() == LabEvent.Kind.CONTAINER_FAILED));
      LabEvent failed =
          events.stream()
              .filter(e -> e.kind() == LabEvent.Kind.CONTAINER_FAILED)
              .findFirst()
              .orElseThrow();
      assertThat(failed.name()).isEqualTo("second");
      assertThat(failed.detail()).isEqualTo("Error (exit 1): " + reason);
      // Restarted at once, failed again, now backing off with the failure on record.
      await()
          .atMost(PROMPTLY)
          .until(
              () ->
                  web("second") != null
                      && web("second").getState().getWaiting() != null
                      && "CrashLoopBackOff"
                          .equals(web("second").getState().getWaiting().getReason()));
      ContainerStatus status = web("second");
      assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(1);
      assertThat(status.getLastState().getTerminated().getMessage()).isEqualTo(reason);
      assertThat(status.getRestartCount()).isEqualTo(1);
    }

    await().atMost(RECOVERS).until(() -> ready(web("second")));
    assertThat(web("second").getRestartCount()).isEqualTo(2);
  }
}
