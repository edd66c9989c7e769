package io.saferollout.lab.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.saferollout.lab.app.LoopbackHttp.Outcome;
import io.saferollout.load.FailureClass;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class SidecarProxyTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /** Long enough that the first requests certainly come before the sidecar is up. */
  private static final Duration SIDECAR_START = Duration.ofSeconds(4);

  private static final AtomicInteger NEXT_IP = new AtomicInteger(1);
  private static final int APP_PORT = 8080;
  private static final int SIDECAR_PORT = 15001;

  private static Vertx vertx;
  private static LoopbackHttp http;
  private final List<ContainerProcess> containers = new ArrayList<>();
  private String ip;

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
  void killPod() {
    containers.forEach(ContainerProcess::kill);
    containers.forEach(c -> c.exited().handle((v, e) -> null).join());
  }

  private PodApp startReadyApp() {
    ip = "127.77.2." + NEXT_IP.getAndIncrement();
    PodApp app =
        PodApp.start(
            vertx,
            "pod-a",
            ip,
            APP_PORT,
            AppBehaviour.builder().serviceTime(Duration.ZERO).build());
    containers.add(app);
    await().atMost(PATIENCE).until(app::isListening);
    return app;
  }

  private SidecarProxy startSidecar(SidecarBehaviour behaviour) {
    SidecarProxy sidecar =
        SidecarProxy.start(vertx, "pod-a", ip, SIDECAR_PORT, APP_PORT, behaviour);
    containers.add(sidecar);
    return sidecar;
  }

  private String viaSidecar(String path) {
    return "http://" + ip + ":" + SIDECAR_PORT + path;
  }

  @Test
  void sidecarWithoutRoutesAnswers503UntilItsStartDelayEvenThoughTheAppIsReady() {
    startReadyApp();
    SidecarProxy sidecar = startSidecar(SidecarBehaviour.startingAfter(SIDECAR_START));
    await().atMost(PATIENCE).until(sidecar::isListening);

    Outcome early = http.get(viaSidecar("/"));
    assertThat(early.status()).isEqualTo(503);
    assertThat(early.body()).contains("no healthy upstream");
    assertThat(http.get(viaSidecar("/healthz/ready")).status()).isEqualTo(503);
    assertThat(http.get("http://" + ip + ":" + APP_PORT + "/").status()).isEqualTo(200);

    await().atMost(PATIENCE).until(sidecar::isReady);
    assertThat(http.get(viaSidecar("/healthz/ready")).status()).isEqualTo(200);
    Outcome routed = http.get(viaSidecar("/"));
    assertThat(routed.status()).isEqualTo(200);
    assertThat(routed.body()).isEqualTo("served by pod-a\n");
  }

  @Test
  void sidecarWithoutListenersRefusesConnectionsUntilItStarts() {
    startReadyApp();
    SidecarProxy sidecar =
        startSidecar(
            SidecarBehaviour.startingAfter(SIDECAR_START)
                .withStartup(SidecarStartup.REFUSE_UNTIL_READY));

    assertThat(http.get(viaSidecar("/")).failure()).isEqualTo(FailureClass.CONNECT_REFUSED);

    await().atMost(PATIENCE).until(sidecar::isListening);
    assertThat(http.get(viaSidecar("/")).status()).isEqualTo(200);
  }

  @Test
  void readySidecarAnswers503WhenTheAppIsNotListening() {
    PodApp app = startReadyApp();
    SidecarProxy sidecar = startSidecar(SidecarBehaviour.startingAfter(Duration.ZERO));
    await().atMost(PATIENCE).until(sidecar::isReady);
    app.kill();
    app.exited().join();

    Outcome outcome = http.get(viaSidecar("/"));

    assertThat(outcome.status()).isEqualTo(503);
    assertThat(outcome.body())
        .contains("upstream connect error")
        .contains(FailureClass.CONNECT_REFUSED);
  }

  @Test
  void sidecarRelaysTheAppsOwnErrors() {
    ip = "127.77.2." + NEXT_IP.getAndIncrement();
    PodApp warming =
        PodApp.start(
            vertx,
            "pod-a",
            ip,
            APP_PORT,
            AppBehaviour.builder().warmup(Duration.ofMinutes(10)).build());
    containers.add(warming);
    await().atMost(PATIENCE).until(warming::isListening);
    SidecarProxy sidecar = startSidecar(SidecarBehaviour.startingAfter(Duration.ZERO));
    await().atMost(PATIENCE).until(sidecar::isReady);

    assertThat(http.get(viaSidecar("/")).status()).isEqualTo(500);
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(warming.counters().failed()).isEqualTo(1));
  }
}
