package io.saferollout.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the generator's clients use connections, seen from the server: which requests share one, and
 * what happens when the server closes one.
 */
@io.saferollout.WallClockTest
class KeepAliveClientTest {

  private static final String HOST = "127.77.6.2";

  /**
   * 40 requests, 50 ms apart: each has finished long before the next is due, even on a loaded
   * machine.
   */
  private static final double RATE = 20;

  private static final Duration DURATION = Duration.ofSeconds(2);
  private static final int REQUESTS = 40;

  /**
   * The uncounted request {@link LoadGenerator#start()} sends first, on the client of request 0.
   */
  private static final int PRIMING = 1;

  private static Vertx serverVertx;
  private HttpServer server;

  /** Requests seen per connection, in order of each connection's first request. */
  private final Map<HttpConnection, AtomicInteger> perConnection = new ConcurrentHashMap<>();

  private final List<String> connectionHeaders = new CopyOnWriteArrayList<>();

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

  private interface Handler {
    /**
     * @param nthOnConnection 1 for a connection's first request
     */
    void handle(HttpServerRequest request, int nthOnConnection);
  }

  private String serve(Handler handler) {
    server =
        serverVertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  connectionHeaders.add(String.valueOf(request.getHeader("Connection")));
                  int nth =
                      perConnection
                          .computeIfAbsent(request.connection(), c -> new AtomicInteger())
                          .incrementAndGet();
                  handler.handle(request, nth);
                });
    server.listen(0, HOST).toCompletionStage().toCompletableFuture().join();
    return "http://" + HOST + ":" + server.actualPort() + "/";
  }

  private static LoadReport run(String target, ClientMix mix) {
    LoadPlan plan =
        LoadPlan.builder()
            .target(target)
            .scope(TargetScope.LOOPBACK_ONLY)
            .clientMix(mix)
            .ratePerSecond(RATE)
            .duration(DURATION)
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    try (LoadGenerator generator = LoadGenerator.create(plan)) {
      return generator.run();
    }
  }

  @Test
  void keepAliveClientsReuseTheirConnections() {
    String target = serve((request, nth) -> request.response().end("ok"));

    LoadReport report = run(target, ClientMix.keepAliveOnly());

    assertThat(report.succeeded()).isEqualTo(REQUESTS);
    // Requests 50 ms apart find the previous one's connection idle; a few more connections are
    // allowed for answers delayed by a loaded machine, far below one per request.
    assertThat(perConnection).hasSizeLessThanOrEqualTo(5);
    assertThat(connectionHeaders).doesNotContain("close");
  }

  @Test
  void http2ClientsSendEveryRequestAsAStreamOnOneConnection() {
    List<HttpVersion> versions = new CopyOnWriteArrayList<>();
    String target =
        serve(
            (request, nth) -> {
              versions.add(request.version());
              request.response().end("ok");
            });

    LoadReport report = run(target, ClientMix.http2Only());

    assertThat(report.succeeded()).isEqualTo(REQUESTS);
    assertThat(versions).hasSize(REQUESTS + PRIMING).containsOnly(HttpVersion.HTTP_2);
    assertThat(perConnection).as("one multiplexed connection").hasSize(1);
  }

  @Test
  void newConnectionClientsOpenOneConnectionPerRequestAndSayTheyWillClose() {
    String target = serve((request, nth) -> request.response().end("ok"));

    LoadReport report = run(target, ClientMix.newConnectionPerRequest());

    assertThat(report.succeeded()).isEqualTo(REQUESTS);
    assertThat(perConnection).hasSize(REQUESTS + PRIMING);
    assertThat(connectionHeaders).containsOnly("close");
  }

  @Test
  void anAnswerWithConnectionCloseRetiresTheConnectionWithoutFailingTheRequest() {
    // The server closes every connection once it has answered, as a draining app does. A pool
    // that reused such a connection would see its next request reset.
    String target =
        serve(
            (request, nth) ->
                request
                    .response()
                    .putHeader("Connection", "close")
                    .end("bye")
                    .onComplete(done -> request.connection().close()));

    LoadReport report = run(target, ClientMix.keepAliveOnly());

    assertThat(report.failuresByClass()).isEmpty();
    assertThat(report.succeeded()).isEqualTo(REQUESTS);
    assertThat(perConnection)
        .hasSize(REQUESTS + PRIMING)
        .allSatisfy((c, n) -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void aResetOnAReusedConnectionIsAFailureOfItsOwnClassAndIsNotRetried() {
    // Answers a connection's first request; closes the connection on its second without an
    // answer (no Connection: close warned the client), as an app that exits or drops idle
    // connections does to a keep-alive client whose request is already on the wire.
    String target =
        serve(
            (request, nth) -> {
              if (nth == 1) {
                request.response().end("ok");
              } else {
                request.connection().close();
              }
            });

    LoadReport keepAlive = run(target, ClientMix.keepAliveOnly());
    int received = perConnection.values().stream().mapToInt(AtomicInteger::get).sum();

    // Connection by connection: answered, then reset. With the priming request answered on the
    // first connection, about every other counted request fails; half the expected 20 is the
    // floor so that a few connections opened alongside under load cannot fail the test.
    assertThat(keepAlive.failuresByClass().keySet())
        .containsOnly(FailureClass.RESET_ON_REUSED_CONNECTION);
    assertThat(keepAlive.failures(FailureClass.RESET_ON_REUSED_CONNECTION))
        .isGreaterThanOrEqualTo(10);
    assertThat(keepAlive.succeeded() + keepAlive.failed()).isEqualTo(REQUESTS);
    // Not retried: the server saw each request exactly once.
    assertThat(received).isEqualTo(REQUESTS + PRIMING);

    // The control: clients that open a connection per request never meet the reset.
    perConnection.clear();
    LoadReport fresh = run(target, ClientMix.newConnectionPerRequest());
    assertThat(fresh.failuresByClass()).isEmpty();
    assertThat(fresh.succeeded()).isEqualTo(REQUESTS);
  }
}
