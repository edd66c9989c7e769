package io.saferollout.lab.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.saferollout.lab.app.LoopbackHttp.Outcome;
import io.saferollout.load.FailureClass;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class PodAppTest {

  /** Far beyond anything these tests wait for, so a loaded machine never fails them. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static final AtomicInteger NEXT_IP = new AtomicInteger(1);

  private static Vertx vertx;
  private static LoopbackHttp http;
  private PodApp app;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    http = new LoopbackHttp(vertx);
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void killApp() {
    if (app != null) {
      app.kill();
      app.exited().join();
    }
  }

  private PodApp start(AppBehaviour behaviour) {
    String ip = "127.77.1." + NEXT_IP.getAndIncrement();
    app = PodApp.start(vertx, "pod-" + ip, ip, 8080, behaviour);
    return app;
  }

  private static String url(PodApp app, String path) {
    return "http://" + app.podName().substring("pod-".length()) + ":8080" + path;
  }

  private static AppBehaviour.Builder fast() {
    return AppBehaviour.builder().serviceTime(Duration.ZERO);
  }

  private void awaitInFlight(int requests) {
    await().atMost(PATIENCE).until(() -> app.counters().inFlight() == requests);
  }

  @Test
  void refusesConnectionsUntilItStartsListening() {
    // Long enough that the first request certainly comes before the listener opens.
    start(fast().listenDelay(Duration.ofSeconds(4)).build());

    assertThat(http.get(url(app, "/")).failure()).isEqualTo(FailureClass.CONNECT_REFUSED);

    await().atMost(PATIENCE).until(app::isListening);
    assertThat(http.get(url(app, "/")).status()).isEqualTo(200);
  }

  @Test
  void answers500WhileWarmingUpAnd200After() {
    start(fast().warmup(Duration.ofSeconds(4)).build());
    await().atMost(PATIENCE).until(app::isListening);

    Outcome early = http.get(url(app, "/"));
    assertThat(early.status()).isEqualTo(500);
    assertThat(early.body()).contains("warming up");

    await().atMost(PATIENCE).until(() -> http.get(url(app, "/")).status() == 200);
    assertThat(http.get(url(app, "/")).body()).isEqualTo("served by " + app.podName() + "\n");
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(app.counters().failed()).isGreaterThanOrEqualTo(1));
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(app.counters().served()).isGreaterThanOrEqualTo(2));
  }

  @Test
  void readinessEndpointFollowsWarmupAndShutdown() {
    start(
        fast()
            .warmup(Duration.ofSeconds(4))
            .readinessPath("/ready")
            .shutdown(ShutdownStyle.GRACEFUL)
            .build());
    await().atMost(PATIENCE).until(app::isListening);

    assertThat(http.get(url(app, "/ready")).status()).isEqualTo(503);
    assertThat(app.isReady()).isFalse();

    await().atMost(PATIENCE).until(() -> http.get(url(app, "/ready")).status() == 200);
    assertThat(app.isReady()).isTrue();

    app.terminate();
    assertThat(app.isReady()).isFalse();
    await().atMost(PATIENCE).until(() -> app.exited().isDone());
    assertThat(app.counters().served()).as("probes are not counted as traffic").isZero();
  }

  @Test
  void immediateTerminateCutsInFlightRequestsAndRefusesLaterOnes() {
    start(
        AppBehaviour.builder()
            .serviceTime(Duration.ofSeconds(20))
            .shutdown(ShutdownStyle.IMMEDIATE)
            .build());
    await().atMost(PATIENCE).until(app::isListening);
    CompletableFuture<Outcome> inFlight = http.send(url(app, "/"));
    awaitInFlight(1);

    app.terminate();

    assertThat(inFlight.join().failure()).isEqualTo(FailureClass.RESET);
    app.exited().join();
    assertThat(app.isListening()).isFalse();
    assertThat(http.get(url(app, "/")).failure()).isEqualTo(FailureClass.CONNECT_REFUSED);
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(app.counters()).isEqualTo(new ContainerCounters(0, 0, 1, 0)));
  }

  @Test
  void gracefulTerminateFinishesInFlightRequestsButAcceptsNoNewConnections() {
    start(
        AppBehaviour.builder()
            .serviceTime(Duration.ofSeconds(10))
            .shutdown(ShutdownStyle.GRACEFUL)
            .drainTimeout(Duration.ofSeconds(60))
            .build());
    await().atMost(PATIENCE).until(app::isListening);
    CompletableFuture<Outcome> inFlight = http.send(url(app, "/"));
    awaitInFlight(1);

    app.terminate();

    assertThat(app.isListening()).isFalse();
    // The listening socket closes on its event loop a moment after SIGTERM, as a real server's
    // does; a connection that races the close is reset by the kernel from the accept queue. So the
    // refusal is awaited, while the in-flight request (10 s of service time) is still running.
    await()
        .atMost(PATIENCE)
        .until(() -> http.get(url(app, "/")).failure() == FailureClass.CONNECT_REFUSED);
    assertThat(inFlight).isNotDone();
    assertThat(inFlight.join().status()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> app.exited().isDone());
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(app.counters()).isEqualTo(new ContainerCounters(1, 0, 0, 0)));
  }

  @Test
  void gracefulDrainEndsAtTheDrainTimeout() {
    start(
        AppBehaviour.builder()
            .serviceTime(Duration.ofMinutes(10))
            .shutdown(ShutdownStyle.GRACEFUL)
            .drainTimeout(Duration.ofMillis(300))
            .build());
    await().atMost(PATIENCE).until(app::isListening);
    CompletableFuture<Outcome> inFlight = http.send(url(app, "/"));
    awaitInFlight(1);

    app.terminate();

    await().atMost(PATIENCE).until(() -> app.exited().isDone());
    assertThat(inFlight.join().failure()).isEqualTo(FailureClass.RESET);
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(app.counters().aborted()).isEqualTo(1));
  }

  @Test
  void killClosesEverythingAtOnceEvenForAGracefulApp() {
    start(
        AppBehaviour.builder()
            .serviceTime(Duration.ofMinutes(10))
            .shutdown(ShutdownStyle.GRACEFUL)
            .drainTimeout(Duration.ofMinutes(10))
            .build());
    await().atMost(PATIENCE).until(app::isListening);
    CompletableFuture<Outcome> inFlight = http.send(url(app, "/"));
    awaitInFlight(1);

    app.kill();

    assertThat(inFlight.join().failure()).isEqualTo(FailureClass.RESET);
    await().atMost(PATIENCE).until(() -> app.exited().isDone());
  }

  @Test
  void terminateBeforeListeningExitsWithoutEverListening() {
    start(fast().listenDelay(Duration.ofSeconds(2)).build());

    app.terminate();

    app.exited().join();
    assertThat(app.isListening()).isFalse();
    assertThat(http.get(url(app, "/")).failure()).isEqualTo(FailureClass.CONNECT_REFUSED);
  }

  @Test
  void badBehaviourIsRejectedWithTheFieldNamed() {
    assertThatThrownBy(() -> AppBehaviour.builder().warmup(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmup");
    assertThatThrownBy(
            () ->
                AppBehaviour.builder()
                    .serviceTime(Duration.ofMillis(20), Duration.ofMillis(5))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxServiceTime");
    assertThatThrownBy(() -> AppBehaviour.builder().readinessPath("healthz").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readinessPath");
  }
}
