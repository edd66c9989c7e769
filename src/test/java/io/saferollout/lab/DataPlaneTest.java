package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The data plane is wired to the API: every node follows the EndpointSlices, each one late by its
 * own delay.
 */
@io.saferollout.WallClockTest
class DataPlaneTest {

  /** Fixed and long, so "not before the delay" is a lower bound no slow machine can break. */
  private static final Duration PROPAGATION = Duration.ofSeconds(3);

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aProxyKeepsRoutingToARemovedEndpointUntilItsDelayHasPassed() {
    LabSettings settings =
        LabSettings.defaults().withPodNetwork(21).withPropagation(PROPAGATION, PROPAGATION);
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    try (Lab lab = Lab.start(settings)) {
      lab.deploy(workload);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  lab.dataPlane().converged()
                      && lab.dataPlane().proxies().get(0).knownEndpoints().size()
                          == workload.replicas());

      Pod victim =
          lab.client()
              .pods()
              .inNamespace(Lab.NAMESPACE)
              .withLabel("app", "web")
              .list()
              .getItems()
              .get(0);
      InetSocketAddress address =
          new InetSocketAddress(victim.getStatus().getPodIP(), LabWorkload.PORT);
      Instant deletedAt = Instant.now();
      lab.client().pods().inNamespace(Lab.NAMESPACE).resource(victim).delete();

      // The API drops the endpoint from the ready set first ...
      await().atMost(WAIT).until(() -> !readyInApi(lab, address));
      // ... and every node stops routing to it eventually.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  lab.dataPlane().proxies().stream()
                      .noneMatch(p -> p.knownEndpoints().contains(address)));

      // Each node applied the removal no earlier than its delay after the change reached it.
      List<EndpointSetApplied> removals =
          lab.endpointHistory().stream()
              .filter(e -> !e.endpoints().contains(address) && e.requestedAt().isAfter(deletedAt))
              .toList();
      assertThat(removals)
          .extracting(EndpointSetApplied::proxyName)
          .contains("lab-node-0", "lab-node-1", "lab-node-2");
      for (String node : List.of("lab-node-0", "lab-node-1", "lab-node-2")) {
        EndpointSetApplied first =
            removals.stream().filter(e -> e.proxyName().equals(node)).findFirst().orElseThrow();
        assertThat(Duration.between(first.requestedAt(), first.appliedAt()))
            .as("node %s kept the removed endpoint for its propagation delay", node)
            .isGreaterThanOrEqualTo(PROPAGATION);
      }
    }
  }

  @Test
  void aLabWhoseProxyPortIsTakenDoesNotStartAndSaysWhichPort() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      LabSettings settings =
          LabSettings.defaults()
              .withPodNetwork(22)
              .withProxyAddress("127.0.0.1", taken.getLocalPort());
      assertThatThrownBy(() -> Lab.start(settings).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
    }
  }

  private static boolean readyInApi(Lab lab, InetSocketAddress address) {
    List<EndpointSlice> slices =
        lab.client()
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(Lab.NAMESPACE)
            .withLabel(DataPlane.SERVICE_NAME_LABEL, "web")
            .list()
            .getItems();
    return RoutableEndpoints.of(slices).contains(address);
  }
}
