package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saferollout.lab.LabSettings.Network;
import io.saferollout.lab.LabSettings.NodeNetwork;
import io.saferollout.lab.dataplane.DataPlaneKind;
import io.saferollout.lab.dataplane.KubeProxySync;
import io.saferollout.lab.dataplane.PropagationDelay;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabSettingsTest {

  @Test
  void theDefaultLabIsThreeKubeProxyNodesOnTheirOwnAddresses() {
    LabSettings settings = LabSettings.defaults();
    assertThat(settings.proxies()).isEqualTo(3);
    assertThat(settings.network().nodes())
        .allSatisfy(
            n -> {
              assertThat(n.kind()).isEqualTo(DataPlaneKind.KUBE_PROXY);
              assertThat(n.propagation()).isEqualTo(KubeProxySync.defaults());
            });
    assertThat(settings.proxyHost()).as("each node's own address").isNull();
    assertThat(settings.network().metricsPort()).isEqualTo(10249);
    assertThat(settings.kubeletVersion()).isEqualTo("v1.33.0");
    assertThat(settings.withNetwork(settings.network().withKubeletVersion("1.30")).kubeletVersion())
        .isEqualTo("1.30");
  }

  @Test
  void aLabMixesKindsAndProfilesPerNodeAndSaysSo() {
    Network mixed =
        Network.of(
            List.of(NodeNetwork.kubeProxy(), NodeNetwork.kubeProxy(), NodeNetwork.cloudLb()));
    assertThat(mixed.describe())
        .startsWith("2 x kube-proxy/kube-proxy(minSync=1s")
        .contains("1 x kube-proxy/cloud-lb(deregistration 30s + 0..5s)");
  }

  @Test
  void uniformPropagationKeepsEachNodesKind() {
    LabSettings settings =
        LabSettings.defaults()
            .withNetwork(Network.of(List.of(NodeNetwork.kubeProxy(), NodeNetwork.ingress())))
            .withPropagation(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(settings.network().nodes())
        .extracting(NodeNetwork::kind)
        .containsExactly(DataPlaneKind.KUBE_PROXY, DataPlaneKind.INGRESS);
    assertThat(settings.network().nodes())
        .extracting(NodeNetwork::propagation)
        .containsOnly(PropagationDelay.of(Duration.ofSeconds(1), Duration.ofSeconds(1)));
  }

  @Test
  void badSettingsAreRejectedWithTheProblemNamed() {
    assertThatThrownBy(() -> Network.of(List.of())).hasMessageContaining("at least one node");
    assertThatThrownBy(() -> Network.kubeProxies(1).withIngressRetries(-1))
        .hasMessageContaining("ingress retries");
    assertThatThrownBy(() -> Network.kubeProxies(1).withKubeletVersion("one"))
        .hasMessageContaining("invalid Kubernetes version");
    assertThatThrownBy(() -> LabSettings.defaults().withPodNetwork(0))
        .hasMessageContaining("127.0.0.0/16");
    assertThatThrownBy(() -> LabSettings.defaults().withProxyAddress("10.0.0.1", 0))
        .hasMessageContaining("not an IPv4 loopback");
    assertThatThrownBy(
            () ->
                LabSettings.defaults()
                    .withPropagation(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("0 <= min <= max");
  }
}
