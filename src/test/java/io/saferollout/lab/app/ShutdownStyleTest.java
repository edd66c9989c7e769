package io.saferollout.lab.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.saferollout.lab.app.KeepAliveConnection.Answer;
import io.saferollout.load.FailureClass;
import io.vertx.core.Vertx;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each shutdown style as a keep-alive client sees it. The HTTP/1.1 tests hold two connections when
 * SIGTERM arrives: one idle (its request, to the readiness path, answered at once) and one busy
 * with a request that takes {@link #SERVICE_TIME}; the HTTP/2 tests hold one connection with an
 * answered stream and one in flight.
 */
@io.saferollout.WallClockTest
class ShutdownStyleTest {

  /** Far beyond anything these tests wait for, so a loaded machine never fails them. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  /**
   * Long enough that the busy request is certainly still in flight when the test sends SIGTERM (a
   * few hundred milliseconds after sending it, even on a loaded machine).
   */
  private static final Duration SERVICE_TIME = Duration.ofSeconds(4);

  private static final int PORT = 8080;
  private static final String IP = "127.77.2.1";

  private static Vertx vertx;
  private static HttpClient h2;
  private PodApp app;
  private KeepAliveConnection idle;
  private KeepAliveConnection busy;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    // Prior knowledge, as gRPC clients connect.
    h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void killApp() throws IOException {
    for (KeepAliveConnection c : new KeepAliveConnection[] {idle, busy}) {
      if (c != null) {
        c.close();
      }
    }
    if (app != null) {
      app.kill();
      app.exited().join();
    }
  }

  /** Starts the app, leaves one connection idle and one with a request in flight. */
  private CompletableFuture<Answer> startWithIdleAndBusyConnections(ShutdownStyle style)
      throws IOException {
    app =
        PodApp.start(
            vertx,
            "pod-" + style,
            IP,
            PORT,
            AppBehaviour.builder()
                .serviceTime(SERVICE_TIME)
                .shutdown(style)
                .drainTimeout(Duration.ofMinutes(1))
                .build());
    await().atMost(PATIENCE).until(app::isListening);
    idle = new KeepAliveConnection(IP, PORT);
    Answer probe = idle.send("/healthz").join();
    assertThat(probe.status()).isEqualTo(200);
    assertThat(probe.asksToClose()).isFalse();
    busy = new KeepAliveConnection(IP, PORT);
    CompletableFuture<Answer> inFlight = busy.send("/");
    await().atMost(PATIENCE).until(() -> app.counters().inFlight() == 1);
    return inFlight;
  }

  private static boolean refusesNewConnections() {
    try (KeepAliveConnection ignored = new KeepAliveConnection(IP, PORT)) {
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      throw new AssertionError(other);
    }
  }

  @Test
  void immediateCutsInFlightRequestsAndResetsIdleKeepAliveConnections() throws IOException {
    CompletableFuture<Answer> inFlight = startWithIdleAndBusyConnections(ShutdownStyle.IMMEDIATE);

    app.terminate();

    assertThatThrownBy(inFlight::join).isInstanceOf(CompletionException.class);
    assertThat(idle.closedByServer()).isTrue();
    app.exited().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(refusesNewConnections()).isTrue();
    await().atMost(PATIENCE).until(() -> app.counters().aborted() == 1);
  }

  @Test
  void gracefulClosesIdleConnectionsFinishesInFlightOnesWithConnectionCloseThenExits()
      throws IOException {
    CompletableFuture<Answer> inFlight = startWithIdleAndBusyConnections(ShutdownStyle.GRACEFUL);

    app.terminate();

    assertThat(idle.closedByServer())
        .as("the idle keep-alive connection is closed at once")
        .isTrue();
    assertThat(refusesNewConnections()).as("the listener is closed").isTrue();
    assertThat(inFlight).as("still being served").isNotDone();
    assertThat(app.exited()).as("waits for the request in flight").isNotDone();

    Answer answer = inFlight.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.asksToClose()).as("tells the keep-alive client to go elsewhere").isTrue();
    assertThat(busy.closedByServer()).isTrue();
    app.exited().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    await().atMost(PATIENCE).until(() -> app.counters().equals(new ContainerCounters(1, 0, 0, 0)));
  }

  /**
   * An HTTP/2 connection with one answered stream and one in flight; GOAWAY frames go to {@code
   * goAway}.
   */
  private CompletableFuture<Integer> startWithHttp2StreamInFlight(
      ShutdownStyle style, CompletableFuture<GoAway> goAway) {
    app =
        PodApp.start(
            vertx,
            "pod-h2-" + style,
            IP,
            PORT,
            AppBehaviour.builder()
                .serviceTime(SERVICE_TIME)
                .shutdown(style)
                .drainTimeout(Duration.ofMinutes(1))
                .build());
    await().atMost(PATIENCE).until(app::isListening);
    HttpClientRequest first =
        h2.request(HttpMethod.GET, PORT, IP, "/healthz")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    first.connection().goAwayHandler(goAway::complete);
    assertThat(
            first
                .send()
                .compose(r -> r.body().map(b -> r.version()))
                .toCompletionStage()
                .toCompletableFuture()
                .join())
        .isEqualTo(HttpVersion.HTTP_2);
    CompletableFuture<Integer> inFlight =
        h2.request(HttpMethod.GET, PORT, IP, "/")
            .compose(
                req -> {
                  assertThat(req.connection())
                      .as("multiplexed on the same connection")
                      .isSameAs(first.connection());
                  return req.send();
                })
            .compose(r -> r.body().map(b -> r.statusCode()))
            .toCompletionStage()
            .toCompletableFuture();
    await().atMost(PATIENCE).until(() -> app.counters().inFlight() == 1);
    return inFlight;
  }

  @Test
  void gracefulSendsGoawayToHttp2ClientsAndFinishesTheirOpenStreams() {
    CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    CompletableFuture<Integer> inFlight =
        startWithHttp2StreamInFlight(ShutdownStyle.GRACEFUL, goAway);

    app.terminate();

    assertThat(goAway.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join().getErrorCode())
        .as("GOAWAY with NO_ERROR")
        .isZero();
    assertThat(refusesNewConnections()).isTrue();
    assertThat(inFlight.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join()).isEqualTo(200);
    app.exited().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Test
  void immediateResetsHttp2StreamsWithoutGoaway() {
    CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    CompletableFuture<Integer> inFlight =
        startWithHttp2StreamInFlight(ShutdownStyle.IMMEDIATE, goAway);

    app.terminate();

    assertThatThrownBy(() -> inFlight.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join())
        .satisfies(e -> assertThat(FailureClass.ofError(e)).isEqualTo(FailureClass.RESET));
    app.exited().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(goAway).as("a process that exits says no goodbye").isNotDone();
  }

  @Test
  void ignoreServesEveryConnectionAsBeforeUntilSigkill() throws Exception {
    CompletableFuture<Answer> inFlight = startWithIdleAndBusyConnections(ShutdownStyle.IGNORE);

    app.terminate();

    Answer answer = inFlight.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.asksToClose()).as("nothing tells the client to leave").isFalse();
    Answer again = idle.send("/healthz").orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(again.status()).as("the idle keep-alive connection still serves").isEqualTo(200);
    assertThat(refusesNewConnections()).as("the listener still accepts").isFalse();
    assertThat(app.exited()).isNotDone();

    app.kill();

    assertThat(idle.closedByServer()).isTrue();
    app.exited().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(refusesNewConnections()).isTrue();
  }
}
