package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
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
class LabNetworkTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEMPLATE = "http://{nodeIP}:10249/metrics";

    @Test
    void everyNodeServesKubeProxysNetworkProgrammingHistogramAtItsInternalIp() throws Exception {
        LabSettings settings = LabSettings.defaults().withPodNetwork(23)
                .withNetwork(LabSettings.Network.kubeProxies(3).withKubeletVersion("1.31"));
        LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
        HttpClient http = HttpClient.newHttpClient();
        try (Lab lab = Lab.start(settings)) {
            lab.deploy(workload);
            await().atMost(WAIT).until(() -> lab.dataPlane().converged()
                    && lab.dataPlane().proxies().get(0).knownEndpoints().size() == workload.replicas());

            List<Node> nodes = lab.client().nodes().list().getItems();
            assertThat(nodes).extracting(n -> n.getMetadata().getName()).containsExactlyInAnyOrder("lab-node-0", "lab-node-1", "lab-node-2");
            for (NodeProxy proxy : lab.dataPlane().proxies()) {
                Node node = nodes.stream().filter(n -> n.getMetadata().getName().equals(proxy.name())).findFirst().orElseThrow();
                assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.31");
                String nodeIp = node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                        .map(NodeAddress::getAddress).findFirst().orElseThrow();
                assertThat(nodeIp).startsWith("127." + lab.network().secondOctet() + ".0.");

                HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(TEMPLATE.replace("{nodeIP}", nodeIp)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(scraped.statusCode()).isEqualTo(200);
                assertThat(scraped.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
                // What the node recorded, change by change: from the slice's trigger time to the node applying it.
                List<Duration> recorded = lab.endpointHistory().stream().filter(e -> e.proxyName().equals(proxy.name()))
                        .map(EndpointSetApplied::networkProgramming).flatMap(java.util.Optional::stream).toList();
                assertThat(recorded).as("the node applied changes that carried a trigger time").isNotEmpty();
                assertThat(sample(scraped.body(), "_count")).isEqualTo(recorded.size());
                assertThat(sample(scraped.body(), "_sum"))
                        .isCloseTo(recorded.stream().mapToDouble(d -> d.toNanos() / 1e9).sum(), within(1e-6));
                assertThat(recorded).allSatisfy(d -> assertThat(d).isPositive());
            }
        }
    }

    @Test
    void endpointSlicesCarryTheTriggerTimeOfThePodOrServiceChangeBehindThem() {
        LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
        try (Lab lab = Lab.start(LabSettings.defaults().withPodNetwork(24))) {
            lab.deploy(workload);
            await().atMost(WAIT).until(() -> lab.dataPlane().converged()
                    && lab.dataPlane().proxies().get(0).knownEndpoints().size() == workload.replicas());

            EndpointSlice slice = lab.client().discovery().v1().endpointSlices().inNamespace(Lab.NAMESPACE)
                    .withLabel(DataPlane.SERVICE_NAME_LABEL, workload.name()).list().getItems().get(0);
            Instant trigger = DataPlane.triggerTime(slice);

            // The last write made the last pod's endpoint ready: its trigger is a Ready transition
            // (or, on the Service's first sync, the Service's creation).
            Set<Instant> candidates = new HashSet<>();
            for (Pod pod : lab.client().pods().inNamespace(Lab.NAMESPACE).list().getItems()) {
                pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                        .map(PodCondition::getLastTransitionTime).map(Instant::parse).forEach(candidates::add);
            }
            String created = lab.client().services().inNamespace(Lab.NAMESPACE).withName(workload.name()).get()
                    .getMetadata().getCreationTimestamp();
            if (created != null) {
                candidates.add(Instant.parse(created));
            }
            assertThat(trigger).isNotNull().isIn(candidates);
        }
    }

    /** One sample's value from Prometheus text, e.g. {@code _count}. */
    private static double sample(String text, String suffix) {
        String prefix = NetworkProgrammingHistogram.NAME + suffix + " ";
        return text.lines().filter(l -> l.startsWith(prefix)).map(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + "in\n" + text));
    }
}
