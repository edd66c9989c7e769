package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class KubeletTest {

  // Generous waits for a loaded machine; timing checks are lower bounds only, which load cannot
  // break.
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  /**
   * Instants on the timeline are taken on different threads; allow for clock reads, not for load.
   */
  private static final Duration CLOCK_SLACK = Duration.ofMillis(50);

  private final HttpTestRuntime runtime = new HttpTestRuntime();
  private final LabTimeline timeline = new LabTimeline();
  private LabCluster lab;
  private KubernetesClient client;

  private void start(String version, LabEvents events) {
    lab = LabCluster.builder().serverVersion(version).runtime(runtime).events(events).start();
    client = lab.newClient();
  }

  @AfterEach
  void stopLab() {
    if (lab != null) {
      lab.close();
    }
  }

  private Pod create(Pod pod) {
    return client.pods().resource(pod).create();
  }

  private void awaitReady(String name) {
    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              Pod pod = LabFixtures.pod(client, name);
              return pod != null && PodConditions.isReady(pod);
            });
  }

  private void deleteAndAwaitGone(String name) {
    client.pods().inNamespace(LabFixtures.NAMESPACE).withName(name).delete();
    await().atMost(CONVERGE).until(() -> LabFixtures.pod(client, name) == null);
    // The kubelet records the deletion just after the API server has let the pod go.
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                timeline.eventsFor(name).stream()
                    .anyMatch(e -> e.kind() == LabEvent.Kind.POD_DELETED));
  }

  private Instant at(String pod, LabEvent.Kind kind) {
    return timeline.eventsFor(pod).stream()
        .filter(e -> e.kind() == kind)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError("no " + kind + " for " + pod + " in " + timeline.eventsFor(pod)))
        .at();
  }

  @Test
  void readinessFollowsSuccessAndFailureThresholds() {
    Map<String, Integer> answersWhenReady = new ConcurrentHashMap<>();
    Map<String, Integer> failuresWhenUnready = new ConcurrentHashMap<>();
    start(
        "1.33",
        event -> {
          timeline.record(event);
          if (event.kind() == LabEvent.Kind.POD_READY) {
            answersWhenReady.putIfAbsent(event.name(), runtime.answers(event.name(), "web", true));
          } else if (event.kind() == LabEvent.Kind.POD_UNREADY) {
            failuresWhenUnready.putIfAbsent(
                event.name(), runtime.answers(event.name(), "web", false));
          }
        });
    Pod pod = LabFixtures.pod("web", "web:v1").build();
    pod.getSpec().getContainers().get(0).getReadinessProbe().setSuccessThreshold(3);
    pod.getSpec().getContainers().get(0).getReadinessProbe().setFailureThreshold(2);
    create(pod);
    awaitReady("web");
    // The kubelet records POD_READY just after writing the status the line above waits for.
    await().atMost(CONVERGE).until(() -> answersWhenReady.containsKey("web"));
    assertThat(answersWhenReady.get("web"))
        .as("successful probes before Ready")
        .isGreaterThanOrEqualTo(3);

    runtime.failReadiness("web");
    await().atMost(CONVERGE).until(() -> !PodConditions.isReady(LabFixtures.pod(client, "web")));
    await().atMost(CONVERGE).until(() -> failuresWhenUnready.containsKey("web"));
    assertThat(failuresWhenUnready.get("web"))
        .as("failed probes before not Ready")
        .isGreaterThanOrEqualTo(2);
    assertThat(LabFixtures.pod(client, "web").getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("Ready"))
        .singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ContainersNotReady"));
  }

  @Test
  void initialDelayPostponesTheFirstProbe() {
    start("1.33", timeline);
    Pod pod = LabFixtures.pod("web", "web:v1").build();
    pod.getSpec().getContainers().get(0).getReadinessProbe().setInitialDelaySeconds(2);
    create(pod);
    awaitReady("web");
    Instant started = runtime.happenings("web", "web").get(0).at();
    assertThat(runtime.firstSuccess("web", "web").orElseThrow())
        .isAfterOrEqualTo(started.plusSeconds(2).minus(CLOCK_SLACK));
  }

  @Test
  void appIgnoringSigtermIsKilledWhenTheGracePeriodEnds() {
    start("1.33", timeline);
    runtime.behave(
        "stubborn:v1", HttpTestRuntime.Behaviour.readyAfter(Duration.ZERO).ignoringSigterm());
    create(
        LabFixtures.pod("web", "stubborn:v1")
            .editSpec()
            .withTerminationGracePeriodSeconds(2L)
            .endSpec()
            .build());
    awaitReady("web");

    deleteAndAwaitGone("web");

    List<HttpTestRuntime.Happening> signals =
        runtime.happenings("web", "web").stream().filter(h -> h.what().startsWith("SIG")).toList();
    assertThat(signals)
        .extracting(HttpTestRuntime.Happening::what)
        .containsExactly("SIGTERM", "SIGKILL");
    assertThat(signals.get(1).at())
        .isAfterOrEqualTo(
            at("web", LabEvent.Kind.POD_TERMINATING).plusSeconds(2).minus(CLOCK_SLACK));
    assertThat(timeline.eventsFor("web"))
        .extracting(LabEvent::kind)
        .containsSubsequence(
            LabEvent.Kind.POD_TERMINATING,
            LabEvent.Kind.SIGTERM_SENT,
            LabEvent.Kind.SIGKILL_SENT,
            LabEvent.Kind.CONTAINER_EXITED,
            LabEvent.Kind.POD_DELETED);
  }

  @Test
  void appHonouringSigtermIsNeverKilled() {
    start("1.33", timeline);
    create(LabFixtures.pod("web", "web:v1").build());
    awaitReady("web");

    deleteAndAwaitGone("web");

    assertThat(timeline.eventsFor("web"))
        .extracting(LabEvent::kind)
        .containsSubsequence(
            LabEvent.Kind.POD_TERMINATING,
            LabEvent.Kind.SIGTERM_SENT,
            LabEvent.Kind.CONTAINER_EXITED,
            LabEvent.Kind.POD_DELETED)
        .doesNotContain(LabEvent.Kind.PRESTOP_STARTED, LabEvent.Kind.SIGKILL_SENT);
    // Without a preStop hook SIGTERM is the kubelet's first act: nothing happens in between.
    List<LabEvent.Kind> kinds = timeline.eventsFor("web").stream().map(LabEvent::kind).toList();
    assertThat(kinds.get(kinds.indexOf(LabEvent.Kind.POD_TERMINATING) + 1))
        .isEqualTo(LabEvent.Kind.SIGTERM_SENT);
  }

  @Test
  void preStopSleepDelaysSigterm() {
    start("1.33", timeline);
    create(
        LabFixtures.pod("web", "web:v1")
            .editSpec()
            .editFirstContainer()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds(2L)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .endContainer()
            .endSpec()
            .build());
    awaitReady("web");

    deleteAndAwaitGone("web");

    assertThat(timeline.eventsFor("web"))
        .extracting(LabEvent::kind)
        .containsSubsequence(
            LabEvent.Kind.POD_TERMINATING,
            LabEvent.Kind.PRESTOP_STARTED,
            LabEvent.Kind.SIGTERM_SENT)
        .doesNotContain(LabEvent.Kind.SIGKILL_SENT);
    assertThat(at("web", LabEvent.Kind.SIGTERM_SENT))
        .isAfterOrEqualTo(
            at("web", LabEvent.Kind.POD_TERMINATING).plusSeconds(2).minus(CLOCK_SLACK));
  }

  @Test
  void execSleepPreStopDelaysSigtermAndOldServersDropTheSleepAction() {
    start("1.28", timeline);
    create(
        LabFixtures.pod("exec", "web:v1")
            .editSpec()
            .editFirstContainer()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewExec()
            .withCommand("/bin/sh", "-c", "sleep 2")
            .endExec()
            .endPreStop()
            .endLifecycle()
            .endContainer()
            .endSpec()
            .build());
    create(
        LabFixtures.pod("native", "web:v1")
            .editSpec()
            .editFirstContainer()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds(2L)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .endContainer()
            .endSpec()
            .build());
    awaitReady("exec");
    awaitReady("native");

    deleteAndAwaitGone("exec");
    deleteAndAwaitGone("native");

    assertThat(at("exec", LabEvent.Kind.SIGTERM_SENT))
        .isAfterOrEqualTo(
            at("exec", LabEvent.Kind.POD_TERMINATING).plusSeconds(2).minus(CLOCK_SLACK));
    // Kubernetes 1.28 has no sleep action: the hook is gone and SIGTERM comes at once.
    assertThat(timeline.eventsFor("native"))
        .extracting(LabEvent::kind)
        .doesNotContain(LabEvent.Kind.PRESTOP_STARTED);
  }

  @Test
  void preStopLongerThanTheGracePeriodGetsTwoMoreSecondsBeforeSigkill() {
    start("1.33", timeline);
    runtime.behave(
        "stubborn:v1", HttpTestRuntime.Behaviour.readyAfter(Duration.ZERO).ignoringSigterm());
    create(
        LabFixtures.pod("web", "stubborn:v1")
            .editSpec()
            .withTerminationGracePeriodSeconds(1L)
            .editFirstContainer()
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep()
            .withSeconds(30L)
            .endSleep()
            .endPreStop()
            .endLifecycle()
            .endContainer()
            .endSpec()
            .build());
    awaitReady("web");

    deleteAndAwaitGone("web");

    Instant terminating = at("web", LabEvent.Kind.POD_TERMINATING);
    Instant sigterm = at("web", LabEvent.Kind.SIGTERM_SENT);
    Instant sigkill = at("web", LabEvent.Kind.SIGKILL_SENT);
    assertThat(sigterm)
        .as("SIGTERM when the grace period ends, not when the 30 s hook would")
        .isAfterOrEqualTo(terminating.plusSeconds(1).minus(CLOCK_SLACK))
        .isBefore(terminating.plusSeconds(30));
    assertThat(sigkill).isAfterOrEqualTo(sigterm.plus(PodWorker.MINIMUM_GRACE).minus(CLOCK_SLACK));
  }

  @Test
  void nativeSidecarStartsAndPassesItsStartupProbeBeforeTheApp() {
    start("1.33", timeline);
    runtime.behave("proxy:v1", HttpTestRuntime.Behaviour.readyAfter(Duration.ofMillis(1500)));
    create(
        LabFixtures.pod("web", "web:v1")
            .editSpec()
            .addToInitContainers(
                new ContainerBuilder()
                    .withName("proxy")
                    .withImage("proxy:v1")
                    .withRestartPolicy("Always")
                    .addNewPort()
                    .withContainerPort(15021)
                    .endPort()
                    .withStartupProbe(
                        new ProbeBuilder()
                            .withNewHttpGet()
                            .withPath("/healthz")
                            .withPort(new IntOrString(15021))
                            .endHttpGet()
                            .withPeriodSeconds(1)
                            .withFailureThreshold(30)
                            .build())
                    .build())
            .endSpec()
            .build());
    awaitReady("web");

    Instant sidecarServing = runtime.firstSuccess("web", "proxy").orElseThrow();
    Instant appStarted = runtime.happenings("web", "web").get(0).at();
    assertThat(runtime.happenings("web", "proxy").get(0).what())
        .isEqualTo("started NATIVE_SIDECAR");
    assertThat(appStarted).isAfterOrEqualTo(sidecarServing);
    Pod pod = LabFixtures.pod(client, "web");
    assertThat(pod.getStatus().getInitContainerStatuses())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getStarted()).isTrue();
              assertThat(s.getState().getRunning()).isNotNull();
            });

    deleteAndAwaitGone("web");
    // KEP-753: the sidecar outlives the app during termination.
    Instant appSigterm =
        runtime.happenings("web", "web").stream()
            .filter(h -> h.what().equals("SIGTERM"))
            .findFirst()
            .orElseThrow()
            .at();
    Instant proxySigterm =
        runtime.happenings("web", "proxy").stream()
            .filter(h -> h.what().equals("SIGTERM"))
            .findFirst()
            .orElseThrow()
            .at();
    assertThat(proxySigterm).isAfterOrEqualTo(appSigterm);
  }
}
