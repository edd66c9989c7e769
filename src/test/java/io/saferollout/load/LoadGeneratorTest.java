package io.saferollout.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class LoadGeneratorTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String HOST = "127.77.6.1";

  /** Nothing listens here. */
  private static final String DEAD_TARGET = "http://127.77.6.99:8080/";

  /**
   * The uncounted request per target that {@link LoadGenerator#start()} sends before the clock
   * starts.
   */
  private static final int PRIMING = 1;

  private static Vertx serverVertx;
  private HttpServer server;
  private final AtomicInteger received = new AtomicInteger();

  @BeforeAll
  static void startVertx() {
    serverVertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    serverVertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * Starts a server on {@link #HOST}; the handler gets each request with its arrival number, from
   * 0.
   */
  /**
   * A server that answers at once, except that for one second after its nth request every answer
   * waits until that second is over.
   */
  private String stallingForOneSecondFrom(int nth) {
    AtomicLong stallUntil = new AtomicLong();
    return serve(
        (request, n) -> {
          if (n == nth) {
            stallUntil.set(System.nanoTime() + Duration.ofSeconds(1).toNanos());
          }
          long wait = stallUntil.get() - System.nanoTime();
          if (wait > 0) {
            serverVertx.setTimer(
                Math.max(1, wait / 1_000_000), t -> request.response().end("late"));
          } else {
            request.response().end("ok");
          }
        });
  }

  private String serve(RequestNumberHandler handler) {
    server =
        serverVertx
            .createHttpServer()
            .requestHandler(request -> handler.handle(request, received.getAndIncrement()));
    server.listen(0, HOST).toCompletionStage().toCompletableFuture().join();
    return "http://" + HOST + ":" + server.actualPort() + "/";
  }

  private interface RequestNumberHandler {
    void handle(HttpServerRequest request, int number);
  }

  private static LoadPlan.Builder plan(String target) {
    return LoadPlan.builder().target(target).scope(TargetScope.LOOPBACK_ONLY);
  }

  @Test
  void countsEveryOutcomeUnderItsOwnClass() {
    String target =
        serve(
            (request, n) -> {
              if (n % 10 == 0) {
                request.response().setStatusCode(503).end();
              } else if (n % 10 == 5) {
                request.connection().close();
              } else if (n % 100 == 3) {
                return; // never answered: a timeout
              } else if (n % 50 == 7) {
                request.response().setStatusCode(500).end();
              } else if (n % 100 == 9) {
                request.response().setStatusCode(404).end();
              } else {
                request.response().end("ok");
              }
            });
    // One connection per request, so each closed connection cuts exactly the request it was
    // closed for (KeepAliveClientTest covers what a reused connection adds).
    LoadPlan plan =
        plan(target)
            .ratePerSecond(200)
            .duration(Duration.ofSeconds(2))
            .requestTimeout(Duration.ofSeconds(2))
            .clientMix(ClientMix.newConnectionPerRequest())
            .build();

    LoadReport report;
    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      report = generator.run();
    }

    // 2 s at 200/s is exactly 400 requests; the server numbers them 1..400 after the priming
    // request (number 0, not counted), so each rule above matches the same requests as in 0..399.
    assertThat(received.get()).isEqualTo(PRIMING + 400);
    assertThat(report.requests()).isEqualTo(400);
    assertThat(report.failuresByClass())
        .isEqualTo(
            Map.of(
                "503",
                40L,
                FailureClass.RESET,
                40L,
                FailureClass.TIMEOUT,
                4L,
                "500",
                8L,
                "4xx",
                4L));
    assertThat(report.failed()).isEqualTo(96);
    assertThat(report.succeeded()).isEqualTo(304);
    assertThat(report.failureEvents()).hasSize(96);
    assertThat(
            report.failureEvents().stream()
                .map(FailureEvent::failureClass)
                .collect(Collectors.toSet()))
        .isEqualTo(Set.of("503", FailureClass.RESET, FailureClass.TIMEOUT, "500", "4xx"));
    assertThat(report.failureEvents()).isSortedAccordingTo((a, b) -> a.at().compareTo(b.at()));
    assertThat(report.failureEvents().get(0).at()).isAfterOrEqualTo(report.startedAt());
  }

  @Test
  void namesRefusedConnectionsAndTheTargetTheyWentTo() {
    String target = serve((request, n) -> request.response().end("ok"));
    LoadPlan plan =
        plan(target).target(DEAD_TARGET).ratePerSecond(100).duration(Duration.ofSeconds(1)).build();

    LoadReport report;
    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      report = generator.run();
    }

    assertThat(report.requests()).isEqualTo(100);
    assertThat(report.succeeded()).isEqualTo(50);
    assertThat(report.failuresByClass()).isEqualTo(Map.of(FailureClass.CONNECT_REFUSED, 50L));
    assertThat(report.failureEvents())
        .hasSize(50)
        .allSatisfy(e -> assertThat(e.target()).hasToString(DEAD_TARGET));
  }

  @Test
  void keepsTheArrivalRateWhenTheServerStallsAndChargesTheStallToLatency() {
    String target = stallingForOneSecondFrom(200);
    LoadPlan plan =
        plan(target).ratePerSecond(200).duration(Duration.ofSeconds(3)).maxInFlight(1_000).build();

    LoadReport report;
    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      report = generator.run();
    }

    // A closed-loop client would have sent far fewer requests during the stall.
    assertThat(report.requests()).isEqualTo(600);
    assertThat(received.get()).isEqualTo(PRIMING + 600);
    assertThat(report.succeeded()).isEqualTo(600);
    // Requests due in the first half of the stall (about 100 of 600, far above 1%) waited at
    // least half a second counted from when they were due. Load can only add to that.
    assertThat(report.latency().p99Ms()).isGreaterThanOrEqualTo(500);
    assertThat(report.latency().maxMs()).isGreaterThanOrEqualTo(900);
  }

  @Test
  void countsRequestsBeyondTheInFlightCapAsOverloadInsteadOfWaiting() {
    String target = stallingForOneSecondFrom(100);
    LoadPlan plan =
        plan(target).ratePerSecond(200).duration(Duration.ofSeconds(2)).maxInFlight(10).build();

    LoadReport report;
    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      report = generator.run();
    }

    assertThat(report.requests()).isEqualTo(400);
    // About 200 requests fall due during the 1 s stall and at most 10 may be outstanding.
    assertThat(report.failures(FailureClass.OVERLOAD)).isGreaterThanOrEqualTo(100);
    assertThat(report.requests()).isEqualTo(report.succeeded() + report.failed());
    assertThat(received.get())
        .isEqualTo(PRIMING + (int) (report.requests() - report.failures(FailureClass.OVERLOAD)));
  }

  @Test
  void runsUntilStoppedWhenThePlanHasNoDuration() {
    String target = serve((request, n) -> request.response().end("ok"));
    LoadPlan plan = plan(target).ratePerSecond(100).build();

    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      var whenDone = generator.start();
      await().atMost(PATIENCE).until(() -> generator.progress().succeeded() >= 50);
      assertThat(whenDone).isNotDone();

      LoadReport report = generator.stop();

      assertThat(whenDone).isCompletedWithValue(report);
      assertThat(report.requests()).isGreaterThanOrEqualTo(50).isEqualTo(received.get() - PRIMING);
      assertThat(report.succeeded()).isEqualTo(report.requests());
      assertThat(report.achievedRatePerSecond()).isPositive();
    }
  }

  @Test
  void closeStopsEveryThreadItStarted() {
    String target = serve((request, n) -> request.response().end("ok"));
    Set<Thread> before = Thread.getAllStackTraces().keySet();

    try (LoadGenerator generator = LoadGenerator.create(plan(target).ratePerSecond(200).build())) {
      generator.start();
      await().atMost(PATIENCE).until(() -> generator.progress().succeeded() >= 20);
    }

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(
                        t ->
                            !before.contains(t)
                                && t.isAlive()
                                && !t.getName().startsWith("awaitility"))
                    .isEmpty());
  }

  @Test
  void rejectsBadPlansWithAClearMessage() {
    expectRejected(
        b -> b.target("http://127.0.0.1:8080/").ratePerSecond(0), "rate must be a positive");
    expectRejected(
        b -> b.target("http://127.0.0.1:8080/").ratePerSecond(-5), "rate must be a positive");
    expectRejected(
        b -> b.target("http://127.0.0.1:8080/").ratePerSecond(10).duration(Duration.ZERO),
        "duration must be positive");
    expectRejected(b -> b.target("ftp://127.0.0.1/").ratePerSecond(10), "must use http or https");
    expectRejected(b -> b.target("not a url").ratePerSecond(10), "is not a valid URL");
    expectRejected(
        b -> b.target("http://10.1.2.3:8080/").ratePerSecond(10).scope(TargetScope.LOOPBACK_ONLY),
        "not a loopback address");
    expectRejected(b -> b.ratePerSecond(10), "at least one target");
    assertThat(
            LoadPlan.builder().target("http://10.1.2.3:8080/").ratePerSecond(10).build().targets())
        .hasSize(1);
  }

  private static void expectRejected(Consumer<LoadPlan.Builder> settings, String message) {
    assertThatThrownBy(
            () -> {
              LoadPlan.Builder builder = LoadPlan.builder();
              settings.accept(builder);
              builder.build();
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
