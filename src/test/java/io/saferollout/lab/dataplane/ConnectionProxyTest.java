package io.saferollout.lab.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.PodApp;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kube-proxy data plane balances connections, not requests, and keeps established ones where
 * they are.
 */
class ConnectionProxyTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final AtomicInteger NEXT_IP = new AtomicInteger(1);
  private static final int POD_PORT = 8080;

  private static Vertx vertx;
  private final List<PodApp> pods = new ArrayList<>();
  private ConnectionProxy proxy;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
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

  private PodApp readyPod() {
    String ip = "127.77.14." + NEXT_IP.getAndIncrement();
    PodApp pod =
        PodApp.start(
            vertx,
            "pod-" + ip,
            ip,
            POD_PORT,
            AppBehaviour.builder().serviceTime(Duration.ZERO).build());
    pods.add(pod);
    await().atMost(PATIENCE).until(pod::isListening);
    return pod;
  }

  private static InetSocketAddress endpoint(PodApp pod) {
    return new InetSocketAddress(pod.podName().substring("pod-".length()), POD_PORT);
  }

  private ConnectionProxy proxy() {
    proxy = ConnectionProxy.start(vertx, ProxySettings.of("node-a", "127.77.13.1", 0));
    return proxy;
  }

  private void routeTo(PodApp... targets) {
    Set<InetSocketAddress> endpoints =
        java.util.Arrays.stream(targets)
            .map(ConnectionProxyTest::endpoint)
            .collect(java.util.stream.Collectors.toSet());
    proxy.update(endpoints);
    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().equals(endpoints));
  }

  @Test
  void
      anEstablishedConnectionKeepsReachingARemovedPodUntilItIsClosedWhileNewConnectionsGoElsewhere()
          throws IOException {
    PodApp removed = readyPod();
    PodApp kept = readyPod();
    proxy();
    routeTo(removed);
    try (RawHttpConnection keepAlive = new RawHttpConnection(proxy.address())) {
      assertThat(keepAlive.get()).contains(removed.podName());

      routeTo(kept);

      // conntrack keeps the flow's DNAT: the same connection still reaches the removed pod ...
      for (int i = 0; i < 3; i++) {
        assertThat(keepAlive.get())
            .as("request %d on the old connection", i)
            .contains(removed.podName());
      }
      assertThat(proxy.openConnections()).containsEntry(endpoint(removed), 1);
      // ... while a new connection follows the node's current view.
      try (RawHttpConnection fresh = new RawHttpConnection(proxy.address())) {
        assertThat(fresh.get()).contains(kept.podName());
      }
    }
    await().atMost(PATIENCE).until(() -> !proxy.openConnections().containsKey(endpoint(removed)));
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(removed.counters().served()).isEqualTo(4));
  }

  @Test
  void aPodThatGoesAwayEndsTheConnectionsPinnedToIt() throws IOException {
    PodApp dying = readyPod();
    proxy();
    routeTo(dying);
    try (RawHttpConnection keepAlive = new RawHttpConnection(proxy.address())) {
      assertThat(keepAlive.get()).contains(dying.podName());

      dying.kill();

      // Closed (-1) or reset (SocketException): either way the client learns at once, never by
      // timeout.
      int end;
      try {
        end = keepAlive.awaitEnd();
      } catch (SocketException reset) {
        end = -1;
      }
      assertThat(end).isEqualTo(-1);
    }
    await().atMost(PATIENCE).until(() -> proxy.openConnections().isEmpty());
  }

  @Test
  void spreadsNewConnectionsOverEveryKnownEndpoint() throws IOException {
    PodApp a = readyPod();
    PodApp b = readyPod();
    proxy();
    routeTo(a, b);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      try (RawHttpConnection connection = new RawHttpConnection(proxy.address())) {
        bodies.add(connection.get());
      }
    }
    // A random pick per connection: 40 connections all on one pod of two has probability 2^-39.
    assertThat(bodies)
        .anyMatch(body -> body.contains(a.podName()))
        .anyMatch(body -> body.contains(b.podName()));
  }

  @Test
  void whenNoEndpointIsReadyNewConnectionsGoToTheServingTerminatingOnesAsKep1669Says()
      throws IOException {
    PodApp terminating = readyPod();
    PodApp notServing = readyPod();
    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice =
        new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
            .withNewMetadata()
            .withName("web-abc")
            .endMetadata()
            .addNewPort()
            .withPort(POD_PORT)
            .endPort()
            .addNewEndpoint()
            .withAddresses(endpoint(terminating).getHostString())
            .withNewConditions()
            .withReady(false)
            .withServing(true)
            .withTerminating(true)
            .endConditions()
            .endEndpoint()
            .addNewEndpoint()
            .withAddresses(endpoint(notServing).getHostString())
            .withNewConditions()
            .withReady(false)
            .withServing(false)
            .withTerminating(true)
            .endConditions()
            .endEndpoint()
            .build();
    proxy();
    proxy.update(io.saferollout.lab.RoutableEndpoints.of(List.of(slice)));
    await().atMost(PATIENCE).until(() -> !proxy.knownEndpoints().isEmpty());

    for (int i = 0; i < 5; i++) {
      try (RawHttpConnection connection = new RawHttpConnection(proxy.address())) {
        assertThat(connection.get()).contains(terminating.podName());
      }
    }
    assertThat(proxy.rejectedConnections()).isZero();
  }

  @Test
  void withoutEndpointsANewConnectionIsResetAtOnceAsKubeProxysRejectRuleDoes() throws IOException {
    proxy();
    // SocketException (reset) or the IOException for a closed peer, never SocketTimeoutException.
    // The reset may already reach the client while connect() completes (seen on a loaded
    // machine), just as a REJECT may: both count as the connection being refused at once.
    assertThatThrownBy(
            () -> {
              try (RawHttpConnection connection = new RawHttpConnection(proxy.address())) {
                connection.get();
              }
            })
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(java.net.SocketTimeoutException.class);
    await().atMost(PATIENCE).until(() -> proxy.rejectedConnections() == 1);
  }

  @Test
  void anEndpointThatRefusesHasTheClientsConnectionReset() throws IOException {
    proxy();
    InetSocketAddress gone = new InetSocketAddress("127.77.15.9", POD_PORT);
    proxy.update(Set.of(gone));
    await().atMost(PATIENCE).until(() -> proxy.knownEndpoints().equals(Set.of(gone)));
    assertThatThrownBy(
            () -> {
              try (RawHttpConnection connection = new RawHttpConnection(proxy.address())) {
                connection.get();
              }
            })
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(java.net.SocketTimeoutException.class);
    assertThat(proxy.rejectedConnections()).as("not a REJECT: the node had an endpoint").isZero();
  }
}
