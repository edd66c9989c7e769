package io.saferollout.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabSettings.NodeNetwork;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.dataplane.CloudLbDeregistration;
import io.saferollout.lab.dataplane.DataPlaneKind;
import io.saferollout.lab.dataplane.NodeProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The lab's propagation profiles as measured: a lab mixing two kube-proxy nodes, an ingress node
 * and a cloud-lb path (10 s deregistration, so the run stays short) has its pods killed one at a
 * time; each node's measured delays (change heard to change applied) and its network-programming
 * histogram (trigger time to applied) are printed per node next to the configured profile. Only the
 * kube-proxy nodes have programming durations ("np"): kube-proxy's metric does not see an ingress
 * controller's reloads or a load balancer's deregistration, so those nodes show none. Prints,
 * asserts nothing.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dbench=PropagationBench
 * [-Dexec.args="--kills N --seed N"]}.
 */
public final class PropagationBench {

  public static void main(String[] args) throws Exception {
    int kills = 8;
    long seed = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--kills" -> kills = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + " (--kills N, --seed N)");
      }
    }
    LabSettings settings =
        LabSettings.defaults()
            .withSeed(seed)
            .withNetwork(
                LabSettings.Network.of(
                    List.of(
                        NodeNetwork.kubeProxy(),
                        NodeNetwork.kubeProxy(),
                        NodeNetwork.ingress(),
                        new NodeNetwork(
                            DataPlaneKind.KUBE_PROXY,
                            new CloudLbDeregistration(
                                Duration.ofSeconds(10), Duration.ofSeconds(2))))));
    LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
    System.out.printf(
        "nodes: %s; %d pod kills, seed %d%n", settings.network().describe(), kills, seed);
    try (Lab lab = Lab.start(settings)) {
      lab.deploy(workload);
      awaitConverged(lab, workload);
      for (int k = 0; k < kills; k++) {
        Pod victim =
            lab
                .client()
                .pods()
                .inNamespace(Lab.NAMESPACE)
                .withLabel("app", workload.name())
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .findFirst()
                .orElseThrow();
        lab.client().pods().inNamespace(Lab.NAMESPACE).resource(victim).delete();
        Thread.sleep(500);
        awaitConverged(lab, workload);
      }
      System.out.printf(
          "%-11s %-10s %-62s %5s %8s %8s %8s %8s | %5s %8s %8s%n",
          "node", "kind", "profile", "n", "p50 s", "p90 s", "p99 s", "max s", "np n", "np p50",
          "np max");
      for (int i = 0; i < lab.dataPlane().proxies().size(); i++) {
        NodeProxy proxy = lab.dataPlane().proxies().get(i);
        double[] delays =
            proxy.measuredDelays().stream().mapToDouble(d -> d.toNanos() / 1e9).sorted().toArray();
        double[] programming =
            proxy.networkProgramming().observations().stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        System.out.printf(
            Locale.ROOT,
            "%-11s %-10s %-62s %5d %8.3f %8.3f %8.3f %8.3f | %5d %8.3f %8.3f%n",
            proxy.name(),
            proxy.kind().id(),
            settings.network().nodes().get(i).propagation().describe(),
            delays.length,
            q(delays, 0.5),
            q(delays, 0.9),
            q(delays, 0.99),
            q(delays, 1.0),
            programming.length,
            q(programming, 0.5),
            q(programming, 1.0));
      }
      System.out.println("metrics: " + lab.dataPlane().metricsUrls());
    }
  }

  private static void awaitConverged(Lab lab, LabWorkload workload) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!(lab.dataPlane().converged()
        && lab.dataPlane().proxies().get(0).knownEndpoints().size() == workload.replicas())) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the lab did not converge within 120 s");
      }
      Thread.sleep(100);
    }
  }

  private static double q(double[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[
        Math.min(
            sorted.length - 1,
            (int) Math.ceil(quantile * sorted.length) - 1 < 0
                ? 0
                : (int) Math.ceil(quantile * sorted.length) - 1)];
  }
}
