package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeletScopeTest {

  @Test
  void onTheRealControlPlaneOnlyPodsTheSchedulerBoundToItsNodesAreRun() {
    KubeletScope real =
        new KubeletScope(
            ControlPlaneKind.REAL,
            Map.of("lab-node-0", "127.9.0.10", "lab-node-1", "127.9.0.11"),
            PodAddresses.benchmarking(9));

    assertThat(real.runs("lab-node-1")).isTrue();
    assertThat(real.runs(null)).as("not scheduled yet: the kubelet must not bind it").isFalse();
    assertThat(real.runs("")).isFalse();
    assertThat(real.runs("someone-elses-node")).isFalse();
    assertThat(real.hostIp("lab-node-1")).isEqualTo("127.9.0.11");
  }

  @Test
  void theSimulatedKubeletTakesUnboundPodsToBindThem() {
    KubeletScope simulated = KubeletScope.simulated();

    assertThat(simulated.runs(null)).isTrue();
    assertThat(simulated.runs(Kubelet.NODE_NAME)).isTrue();
    assertThat(simulated.runs("lab-node-7")).isFalse();
    assertThat(simulated.podAddresses()).isEqualTo(PodAddresses.identity());
  }
}
