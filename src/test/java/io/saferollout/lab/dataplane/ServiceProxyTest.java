package io.saferollout.lab.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.LoopbackHttp;
import io.saferollout.lab.app.LoopbackHttp.Outcome;
import io.saferollout.lab.app.PodApp;
import io.saferollout.lab.app.ShutdownStyle;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@io.saferollout.WallClockTest
class ServiceProxyTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final AtomicInteger NEXT_IP = new AtomicInteger(1);
  private static final int POD_PORT = 8080;

  private static Vertx vertx;
  private static LoopbackHttp http;
  private final List<PodApp> pods = new ArrayList<>();
  private ServiceProxy proxy;

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
  void stopAll() {
    if (proxy != null) {
      proxy.close();
    }
    pods.forEach(PodApp::kill);
    pods.forEach(p -> p.exited().handle((v, e) -> null).join());
  }

  private PodApp pod(AppBehaviour behaviour) {
    String ip = "127.77.4." + NEXT_IP.getAndIncrement();
    PodApp pod = PodApp.start(vertx, "pod-" + ip, ip, POD_PORT, behaviour);
    pods.add(pod);
    await().atMost(PATIENCE).until(pod::isListening);
    return pod;
  }

  private PodApp readyPod() {
    return pod(AppBehaviour.builder().serviceTime(Duration.ZERO).build());
  }

  private static InetSocketAddress endpoint(PodApp pod) {
    return new InetSocketAddress(pod.podName().substring("pod-".length()), POD_PORT);
  }

  private ServiceProxy proxy(ProxySettings settings) {
    proxy = ServiceProxy.start(vertx, settings);
    return proxy;
  }

  private ServiceProxy proxy() {
    return proxy(ProxySettings.of("node-a", "127.77.3.1", 0));
  }

  private Outcome get() {
    return http.get(proxy.url().toString());
  }

  @Test
  void spreadsRequestsRoundRobinOverKnownEndpoints() {
    PodApp a = readyPod();
    PodApp b = readyPod();
    proxy().update(Set.of(endpoint(a), endpoint(b)));

    List<String> bodies = IntStream.range(0, 10).mapToObj(i -> get().body()).toList();

    assertThat(bodies).filteredOn(body -> body.contains(a.podName())).hasSize(5);
    assertThat(bodies).filteredOn(body -> body.contains(b.podName())).hasSize(5);
  }

  @Test
  void answers503WithoutEndpoints() {
    proxy();
    assertThat(get().status()).isEqualTo(503);

    proxy.update(Set.of(endpoint(readyPod())));
    proxy.update(Set.of());

    assertThat(get().status()).isEqualTo(503);
  }

  @Test
  void keepsSendingToARemovedEndpointUntilItsPropagationDelayHasPassed() {
    // Long enough that the requests right after the removal certainly come before it applies.
    Duration delay = Duration.ofSeconds(4);
    PodApp removed = readyPod();
    PodApp kept = readyPod();
    List<EndpointSetApplied> timeline = new CopyOnWriteArrayList<>();
    proxy(
            ProxySettings.of("node-a", "127.77.3.1", 0)
                .withPropagationDelay(PropagationDelay.of(delay, Duration.ZERO), 7))
        .onEndpointsApplied(timeline::add);
    proxy.update(Set.of(endpoint(removed), endpoint(kept)));
    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().size() == 2);

    proxy.update(Set.of(endpoint(kept)));
    IntStream.range(0, 4).forEach(i -> assertThat(get().status()).isEqualTo(200));
    // A pod counts a request once its response is written, a moment after the client has it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(removed.counters().served())
                    .as("removed pod still gets traffic before propagation")
                    .isEqualTo(2));

    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().equals(Set.of(endpoint(kept))));
    IntStream.range(0, 6).forEach(i -> assertThat(get().status()).isEqualTo(200));
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(kept.counters().served()).isEqualTo(8));
    assertThat(removed.counters().served()).as("no traffic after propagation").isEqualTo(2);

    assertThat(timeline).hasSize(2);
    EndpointSetApplied removal = timeline.get(1);
    assertThat(removal.proxyName()).isEqualTo("node-a");
    assertThat(removal.endpoints()).containsExactly(endpoint(kept));
    assertThat(Duration.between(removal.requestedAt(), removal.appliedAt()))
        .isGreaterThanOrEqualTo(delay);
  }

  @Test
  void appliesUpdatesInTheOrderTheyWereMadeWhateverTheJitter() {
    InetSocketAddress a = new InetSocketAddress("127.77.5.1", POD_PORT);
    InetSocketAddress b = new InetSocketAddress("127.77.5.2", POD_PORT);
    List<Set<InetSocketAddress>> made =
        List.of(Set.of(a), Set.of(b), Set.of(a, b), Set.of(), Set.of(b));
    List<Set<InetSocketAddress>> applied = new CopyOnWriteArrayList<>();
    // A jitter much larger than the gap between updates: unordered, later updates would often win.
    proxy(
            ProxySettings.of("node-a", "127.77.3.1", 0)
                .withPropagationDelay(
                    PropagationDelay.of(Duration.ZERO, Duration.ofMillis(1500)), 42))
        .onEndpointsApplied(event -> applied.add(event.endpoints()));

    made.forEach(proxy::update);

    await().atMost(PATIENCE).until(() -> applied.size() == made.size());
    assertThat(applied).isEqualTo(made);
    assertThat(proxy.knownEndpoints()).containsExactly(b);
  }

  @Test
  void relaysAnUpstream5xxAsIsAndAsksTheUpstreamOnce() {
    PodApp warming = pod(AppBehaviour.builder().warmup(Duration.ofMinutes(10)).build());
    proxy().update(Set.of(endpoint(warming)));

    Outcome outcome = get();

    assertThat(outcome.status()).isEqualTo(500);
    assertThat(outcome.body()).contains("warming up");
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(warming.counters().failed()).isEqualTo(1));
  }

  @Test
  void answers502ForARefusedConnectionInsteadOfRetryingAnotherEndpoint() {
    PodApp healthy = readyPod();
    InetSocketAddress gone = new InetSocketAddress("127.77.5.9", POD_PORT);
    proxy().update(Set.of(endpoint(healthy), gone));

    List<Integer> statuses = IntStream.range(0, 4).mapToObj(i -> get().status()).toList();

    assertThat(statuses).containsExactlyInAnyOrder(200, 200, 502, 502);
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(healthy.counters().served()).isEqualTo(2));
  }

  @Test
  void withRetriesAnIdempotentRequestGoesToTheNextEndpointAfterARefusalAsIngressNginxDoes() {
    PodApp healthy = readyPod();
    InetSocketAddress gone = new InetSocketAddress("127.77.5.9", POD_PORT);
    proxy(ProxySettings.of("node-a", "127.77.3.1", 0).withRetries(1))
        .update(Set.of(endpoint(healthy), gone));
    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().size() == 2);

    List<Integer> statuses = IntStream.range(0, 4).mapToObj(i -> get().status()).toList();

    assertThat(statuses).containsOnly(200);
    // Round-robin over two endpoints, retries included: two to four attempts hit the refusing one,
    // depending on which endpoint comes first; each was retried on the healthy one.
    assertThat(proxy.retriedAttempts()).isBetween(2L, 4L);
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(healthy.counters().served()).isEqualTo(4));
  }

  @Test
  void retriesNeverResendANonIdempotentRequest() {
    PodApp healthy = readyPod();
    InetSocketAddress gone = new InetSocketAddress("127.77.5.9", POD_PORT);
    proxy(ProxySettings.of("node-a", "127.77.3.1", 0).withRetries(3))
        .update(Set.of(endpoint(healthy), gone));
    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().size() == 2);
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    try {
      List<Integer> statuses =
          IntStream.range(0, 4)
              .mapToObj(
                  i ->
                      client
                          .request(
                              io.vertx.core.http.HttpMethod.POST,
                              proxy.address().getPort(),
                              "127.77.3.1",
                              "/")
                          .compose(req -> req.send("order"))
                          .map(io.vertx.core.http.HttpClientResponse::statusCode)
                          .toCompletionStage()
                          .toCompletableFuture()
                          .join())
              .toList();

      assertThat(statuses).containsExactlyInAnyOrder(200, 200, 502, 502);
      assertThat(proxy.retriedAttempts()).isZero();
    } finally {
      client.close();
    }
  }

  @Test
  void answers502WhenTheUpstreamCutsAnInFlightRequest() {
    PodApp dying =
        pod(
            AppBehaviour.builder()
                .serviceTime(Duration.ofMinutes(10))
                .shutdown(ShutdownStyle.IMMEDIATE)
                .build());
    proxy().update(Set.of(endpoint(dying)));
    CompletableFuture<Outcome> inFlight = http.send(proxy.url().toString());
    await().atMost(PATIENCE).until(() -> dying.counters().inFlight() == 1);

    dying.terminate();

    assertThat(inFlight.join().status()).isEqualTo(502);
    // Counters move when the server has written or dropped the response, a moment after the client
    // sees it.
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(dying.counters().aborted()).isEqualTo(1));
  }

  @Test
  void answers504WhenTheUpstreamStaysSilentPastTheTimeout() {
    PodApp stuck = pod(AppBehaviour.builder().serviceTime(Duration.ofMinutes(10)).build());
    proxy(ProxySettings.of("node-a", "127.77.3.1", 0).withUpstreamTimeout(Duration.ofMillis(300)))
        .update(Set.of(endpoint(stuck)));

    assertThat(get().status()).isEqualTo(504);
  }

  @Test
  void badSettingsAreRejectedWithTheProblemNamed() {
    assertThatThrownBy(() -> ProxySettings.of("node-a", "127.77.3.1", 70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> PropagationDelay.of(Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("propagation delay");
    assertThatThrownBy(() -> ServiceProxy.start(vertx, ProxySettings.of("node-x", "192.0.2.1", 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not listen");
  }
}
