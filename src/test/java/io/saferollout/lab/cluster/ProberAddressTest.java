package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A probe's own host goes through the lab's pod addresses: the pod's shown IP, or nothing. */
class ProberAddressTest {

  private static final String LISTENING = "127.77.1.9";
  private final AtomicInteger hits = new AtomicInteger();
  private final Container container = new ContainerBuilder().withName("app").build();
  private HttpServer server;

  @BeforeEach
  void listen() throws Exception {
    server = HttpServer.create(new InetSocketAddress(LISTENING, 0), 0);
    server.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aProbeHostOfThePodsShownIpReachesThePodOnLoopback() {
    Prober prober = new Prober(SimulatedVersion.parse("1.37"), PodAddresses.benchmarking(77));

    assertThat(prober.httpGet(get("198.18.1.9"), container, LISTENING, Duration.ofSeconds(2)))
        .contains(200);
    assertThat(hits).hasValue(1);
  }

  @Test
  void aProbeHostOutsideTheMappingFailsWithoutBeingDialled() {
    Prober prober = new Prober(SimulatedVersion.parse("1.37"), PodAddresses.benchmarking(77));

    assertThat(prober.httpGet(get("192.0.2.10"), container, LISTENING, Duration.ofSeconds(2)))
        .isEmpty();
    assertThat(prober.httpGet(get("example.com"), container, LISTENING, Duration.ofSeconds(2)))
        .isEmpty();
    assertThat(hits).hasValue(0);
  }

  private HTTPGetAction get(String host) {
    return new HTTPGetActionBuilder()
        .withHost(host)
        .withPath("/healthz")
        .withPort(new IntOrString(server.getAddress().getPort()))
        .build();
  }
}
