package io.saferollout.lab.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a node's kube-proxy metric records: kube-proxy's own programming, never the lateness of a
 * path it does not program. Zero-delay profiles apply each change within {@code update}, so nothing
 * here waits on a clock.
 */
class EndpointViewTest {

  private static final Set<InetSocketAddress> ONE_POD =
      Set.of(InetSocketAddress.createUnresolved("127.9.1.1", 8080));

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void aKubeProxyNodeRecordsEachChangeFromItsTriggerTime() {
    EndpointView view =
        new EndpointView("node-0", vertx, DataPlaneKind.KUBE_PROXY, PropagationDelay.NONE, 1);
    Instant trigger = Instant.now().minusSeconds(2);

    view.update(ONE_POD, trigger);

    assertThat(view.applied())
        .singleElement()
        .satisfies(a -> assertThat(a.endpoints()).isEqualTo(ONE_POD));
    assertThat(view.programming().count()).isEqualTo(1);
    assertThat(view.programming().observations().get(0)).isBetween(2.0, 60.0);
    assertThat(view.applied().get(0).networkProgramming()).isPresent();
  }

  @Test
  void aCloudLoadBalancerPathPutsNothingIntoKubeProxysMetric() {
    EndpointView view =
        new EndpointView(
            "node-2",
            vertx,
            DataPlaneKind.KUBE_PROXY,
            new CloudLbDeregistration(Duration.ZERO, Duration.ZERO),
            1);

    view.update(ONE_POD, Instant.now().minusSeconds(30));

    assertThat(view.current()).as("the path still routes by the change").hasSize(1);
    assertThat(view.applied()).hasSize(1);
    assertThat(view.applied().get(0).networkProgramming())
        .as("the lab's own record agrees with the metric")
        .isEmpty();
    assertThat(view.programming().count()).isZero();
  }

  @Test
  void anIngressProxyRecordsNothingWhateverItsProfile() {
    EndpointView view =
        new EndpointView("node-1", vertx, DataPlaneKind.INGRESS, PropagationDelay.NONE, 1);

    view.update(ONE_POD, Instant.now().minusSeconds(3));

    assertThat(view.current()).hasSize(1);
    assertThat(view.programming().count()).isZero();
  }

  @Test
  void onlyKubeProxysOwnDelaysAreInItsMetric() {
    assertThat(KubeProxySync.defaults().inKubeProxyMetric()).isTrue();
    assertThat(PropagationDelay.NONE.inKubeProxyMetric()).isTrue();
    assertThat(PeriodicReload.defaults().inKubeProxyMetric()).isFalse();
    assertThat(CloudLbDeregistration.defaults().inKubeProxyMetric()).isFalse();
  }
}
