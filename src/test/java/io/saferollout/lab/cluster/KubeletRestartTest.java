package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A container whose liveness probe fails is killed and restarted, with CrashLoopBackOff between
 * restarts.
 */
@io.saferollout.WallClockTest
class KubeletRestartTest {

  /**
   * Generous for a loaded machine; the timing checks below are lower bounds, which load cannot
   * break.
   */
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  /**
   * Instants on the timeline are taken on different threads; allow for clock reads, not for load.
   */
  private static final Duration CLOCK_SLACK = Duration.ofMillis(50);

  private final HttpTestRuntime runtime = new HttpTestRuntime();
  private final LabTimeline timeline = new LabTimeline();
  private LabCluster lab;
  private KubernetesClient client;

  @AfterEach
  void stopLab() {
    if (lab != null) {
      lab.close();
    }
  }

  private ContainerStatus web() {
    Pod pod = LabFixtures.pod(client, "web");
    return pod == null || pod.getStatus() == null
        ? null
        : pod.getStatus().getContainerStatuses().stream()
            .filter(c -> c.getName().equals("web"))
            .findFirst()
            .orElse(null);
  }

  private List<LabEvent> events(LabEvent.Kind kind) {
    return timeline.eventsFor("web").stream().filter(e -> e.kind() == kind).toList();
  }

  @Test
  void failedLivenessProbeRestartsTheContainerAtOnceThenAfterTheBackOff() {
    lab = LabCluster.builder().runtime(runtime).events(timeline::record).start();
    client = lab.newClient();
    Pod pod = LabFixtures.pod("web", "web:v1").build();
    pod.getSpec()
        .getContainers()
        .get(0)
        .setLivenessProbe(
            new ProbeBuilder()
                .withNewHttpGet()
                .withPath("/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(2)
                .build());
    client.pods().resource(pod).create();
    await().atMost(CONVERGE).until(() -> web() != null && Boolean.TRUE.equals(web().getReady()));
    assertThat(web().getRestartCount()).isZero();

    // From now on every path of the pod's containers answers 503, the liveness path included.
    runtime.failReadiness("web");

    // The first restart of a streak is immediate; the container still fails, so the second
    // waits in CrashLoopBackOff.
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                web().getState().getWaiting() != null
                    && "CrashLoopBackOff".equals(web().getState().getWaiting().getReason()));
    ContainerStatus backingOff = web();
    assertThat(backingOff.getRestartCount()).isEqualTo(1);
    assertThat(backingOff.getState().getWaiting().getMessage())
        .isEqualTo("back-off 10s restarting failed container=web pod=web_lab");
    assertThat(backingOff.getLastState().getTerminated()).isNotNull();
    assertThat(backingOff.getReady()).isFalse();
    assertThat(events(LabEvent.Kind.CONTAINER_UNHEALTHY))
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(
            e -> assertThat(e.detail()).startsWith("liveness probe failed 2 times in a row"));

    await().atMost(CONVERGE).until(() -> web().getRestartCount() == 2);
    Instant secondExit = events(LabEvent.Kind.CONTAINER_EXITED).get(1).at();
    Instant secondRestart = events(LabEvent.Kind.CONTAINER_STARTED).get(2).at();
    assertThat(events(LabEvent.Kind.CONTAINER_STARTED).get(2).detail()).endsWith("restart 2");
    assertThat(secondRestart)
        .isAfterOrEqualTo(secondExit.plus(Duration.ofSeconds(10)).minus(CLOCK_SLACK));
    assertThat(
            runtime.happenings("web", "web").stream()
                .filter(h -> h.what().startsWith("started"))
                .count())
        .as("a real new process each time")
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void aContainerThatExitsUnderRestartPolicyNeverStaysTerminated() {
    lab = LabCluster.builder().runtime(runtime).events(timeline::record).start();
    client = lab.newClient();
    Pod pod =
        LabFixtures.pod("web", "web:v1").editSpec().withRestartPolicy("Never").endSpec().build();
    pod.getSpec()
        .getContainers()
        .get(0)
        .setLivenessProbe(
            new ProbeBuilder()
                .withNewHttpGet()
                .withPath("/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(1)
                .build());
    client.pods().resource(pod).create();
    await().atMost(CONVERGE).until(() -> web() != null && Boolean.TRUE.equals(web().getReady()));

    runtime.failReadiness("web");

    await().atMost(CONVERGE).until(() -> web().getState().getTerminated() != null);
    assertThat(web().getRestartCount()).isZero();
    assertThat(events(LabEvent.Kind.CONTAINER_BACK_OFF)).isEmpty();
    assertThat(events(LabEvent.Kind.CONTAINER_STARTED)).hasSize(1);
  }
}
