package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.saferollout.lab.dataplane.EndpointSetApplied;
import io.saferollout.lab.dataplane.NetworkProgrammingHistogram;
import io.saferollout.lab.dataplane.NodeProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The lab's network as an operator sees it on a cluster: Node objects whose InternalIP serves
 * kube-proxy's metrics at {@code http://{nodeIP}:10249/metrics}, and EndpointSlices carrying the
 * trigger time those metrics are measured from.
 */
@io.saferollout.WallClockTest
class LabNetworkTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TEMPLATE = "http://{nodeIP}:10249/metrics";

  @Test
  void everyNodeServesKubeProxysNetworkProgrammingHistogramAtItsInternalIp() throws Exception {
    LabSettings settings =
        LabSettings.defaults()
            .withPodNetwork(23)
            .withNetwork(LabSettings.Network.kubeProxies(3).withKubeletVersion("1.31"));
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    HttpClient http = HttpClient.newHttpClient();
    try (Lab lab = Lab.start(settings)) {
      lab.deploy(workload);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  lab.dataPlane().converged()
                      && lab.dataPlane().proxies().get(0).knownEndpoints().size()
                          == workload.replicas());

      List<Node> nodes = lab.client().nodes().list().getItems();
      assertThat(nodes)
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("lab-node-0", "lab-node-1", "lab-node-2");
      for (NodeProxy proxy : lab.dataPlane().proxies()) {
        Node node =
            nodes.stream()
                .filter(n -> n.getMetadata().getName().equals(proxy.name()))
                .findFirst()
                .orElseThrow();
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.31");
        String nodeIp =
            node.getStatus().getAddresses().stream()
                .filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress)
                .findFirst()
                .orElseThrow();
        assertThat(nodeIp).startsWith("127." + lab.network().secondOctet() + ".0.");

        HttpResponse<String> scraped =
            http.send(
                HttpRequest.newBuilder(URI.create(TEMPLATE.replace("{nodeIP}", nodeIp)))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type"))
            .contains("text/plain; version=0.0.4; charset=utf-8");
        // What the node recorded, change by change: from the slice's trigger time to the node
        // applying it.
        List<Duration> recorded =
            lab.endpointHistory().stream()
                .filter(e -> e.proxyName().equals(proxy.name()))
                .map(EndpointSetApplied::networkProgramming)
                .flatMap(java.util.Optional::stream)
                .toList();
        assertThat(recorded)
            .as("the node applied changes that carried a trigger time")
            .isNotEmpty();
        assertThat(sample(scraped.body(), "_count")).isEqualTo(recorded.size());
        assertThat(sample(scraped.body(), "_sum"))
            .isCloseTo(recorded.stream().mapToDouble(d -> d.toNanos() / 1e9).sum(), within(1e-6));
        assertThat(recorded).allSatisfy(d -> assertThat(d).isPositive());
      }
    }
  }

  @Test
  void theWriteThatFirstAddsAPodCarriesThatPodsTriggerTime() {
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    List<EndpointSlice> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Lab lab = Lab.start(LabSettings.defaults().withPodNetwork(24))) {
      Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      var informer =
          lab.client()
              .discovery()
              .v1()
              .endpointSlices()
              .inNamespace(Lab.NAMESPACE)
              .inform(
                  new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                    @Override
                    public void onAdd(EndpointSlice slice) {
                      written.add(slice);
                    }

                    @Override
                    public void onUpdate(EndpointSlice before, EndpointSlice after) {
                      written.add(after);
                    }

                    @Override
                    public void onDelete(EndpointSlice slice, boolean unknownFinalState) {}
                  });
      try {
        lab.deploy(workload);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    lab.dataPlane().converged()
                        && lab.dataPlane().proxies().get(0).knownEndpoints().size()
                            == workload.replicas());
      } finally {
        informer.close();
      }
      Instant end = Instant.now();

      // The lab's kubelet reports a pod's IP and its first Ready condition in one status, and
      // a pod's Ready condition seen for the first time is a trigger that moved
      // (trigger_time_tracker.go), so the write that first lists a pod carries a trigger time
      // from this run. Later writes may carry none: a Ready flip within the same second as the
      // pod's previous condition does not move the second-precision timestamp, here as on a
      // cluster.
      Set<String> seen = new HashSet<>();
      int firsts = 0;
      for (EndpointSlice slice : written) {
        Set<String> addresses = new HashSet<>();
        slice.getEndpoints().forEach(e -> addresses.addAll(e.getAddresses()));
        if (!seen.containsAll(addresses)) {
          firsts++;
          assertThat(DataPlane.triggerTime(slice))
              .as("write adding %s", addresses)
              .isNotNull()
              .isBetween(start, end);
        }
        seen.addAll(addresses);
      }
      assertThat(firsts).isPositive();
      assertThat(seen).hasSize(workload.replicas());
    }
  }

  @Test
  void aLabMixesKubeProxyAndIngressNodesAndBothCarryTheService() throws Exception {
    LabSettings settings =
        LabSettings.defaults()
            .withPodNetwork(25)
            .withNetwork(
                LabSettings.Network.of(
                        List.of(
                            LabSettings.NodeNetwork.kubeProxy(), LabSettings.NodeNetwork.ingress()))
                    .withIngressRetries(1));
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    HttpClient http = HttpClient.newHttpClient();
    try (Lab lab = Lab.start(settings)) {
      lab.deploy(workload);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  lab.dataPlane().converged()
                      && lab.dataPlane().proxies().get(0).knownEndpoints().size()
                          == workload.replicas());

      assertThat(lab.dataPlane().proxies())
          .extracting(NodeProxy::kind)
          .containsExactly(
              io.saferollout.lab.dataplane.DataPlaneKind.KUBE_PROXY,
              io.saferollout.lab.dataplane.DataPlaneKind.INGRESS);
      for (URI url : lab.serviceUrls()) {
        for (int i = 0; i < 10; i++) {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as("%s request %d", url, i).isEqualTo(200);
        }
      }
      assertThat(lab.dataPlane().measuredDelays())
          .containsOnlyKeys("lab-node-0", "lab-node-1")
          .allSatisfy((node, delays) -> assertThat(delays).isNotEmpty());

      // Both nodes applied the changes, but only kube-proxy's programming is kube-proxy's metric:
      // the ingress controller's reloads are not in it (pkg/proxy/metrics
      // NetworkProgrammingLatency is observed by kube-proxy after writing the node's rules).
      List<URI> metrics = lab.dataPlane().metricsUrls();
      assertThat(sample(scrape(http, metrics.get(0)), "_count")).as("kube-proxy node").isPositive();
      assertThat(sample(scrape(http, metrics.get(1)), "_count")).as("ingress node").isZero();
    }
  }

  private static String scrape(HttpClient http, URI url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s", url).isEqualTo(200);
    return response.body();
  }

  /** One sample's value from Prometheus text, e.g. {@code _count}. */
  private static double sample(String text, String suffix) {
    String prefix = NetworkProgrammingHistogram.NAME + suffix + " ";
    return text.lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + "in\n" + text));
  }
}
