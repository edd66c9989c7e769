package io.saferollout.bench;

import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.scenario.Comparison;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.Scenario;
import io.saferollout.lab.scenario.ScenarioPlan;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scenarios under load, naive and hardened side by side, on each kind of data plane: how many
 * requests each run loses (the adoption rollout on its own line), latency percentiles, what the lab
 * itself costs in CPU per request, and each node's measured propagation delays against the profile
 * it was given. Prints numbers, asserts nothing.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dbench=LabBench [-Dexec.args="--rps
 * 500 --scenarios rolling-update,pod-kills,node-drain --kinds kube-proxy,ingress --rollouts 1
 * --kills 2"]}.
 *
 * <p>Each comparison costs real time: the hardened run's adoption and each rollout wait out the
 * SafeRollout's default 15 s preStop and 5 s minReadySeconds, about a minute per rollout of 3 pods.
 * The defaults (2 scenarios x 2 kinds, one rollout or two kills each) took 5 minutes on 2 shared
 * cores.
 */
public final class LabBench {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    double rps = Double.parseDouble(opts.getOrDefault("rps", "500"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    List<Scenario> scenarios =
        Arrays.stream(opts.getOrDefault("scenarios", "rolling-update,pod-kills").split(","))
            .map(
                id ->
                    Scenario.byId(id)
                        .orElseThrow(() -> new IllegalArgumentException("unknown scenario " + id)))
            .toList();
    List<String> kinds = List.of(opts.getOrDefault("kinds", "kube-proxy,ingress").split(","));
    Integer rollouts = opts.containsKey("rollouts") ? Integer.valueOf(opts.get("rollouts")) : null;
    Integer kills = opts.containsKey("kills") ? Integer.valueOf(opts.get("kills")) : null;
    System.out.printf(
        Locale.ROOT,
        "cores=%d rps=%.0f seed=%d scenarios=%s kinds=%s app=graceful (both runs)%n",
        Runtime.getRuntime().availableProcessors(),
        rps,
        seed,
        scenarios,
        kinds);

    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long wallBefore = System.nanoTime();
    long requests = 0;
    List<String> table = new ArrayList<>();
    List<String> delays = new ArrayList<>();
    for (String kind : kinds) {
      LabSettings settings = LabSettings.defaults().withSeed(seed).withNetwork(network(kind));
      for (Scenario scenario : scenarios) {
        ScenarioPlan plan = ScenarioPlan.of(scenario, rps, seed);
        plan =
            plan.withCounts(
                rollouts != null ? rollouts : Math.min(1, plan.rollouts()),
                kills != null ? kills : Math.min(2, plan.kills()));
        System.out.printf("running %s on %s ...%n", scenario, settings.network().describe());
        List<RunOutcome> outcomes;
        try (Comparison comparison = new Comparison(settings, workload(kind), plan)) {
          outcomes = comparison.execute();
        }
        for (RunOutcome o : outcomes) {
          RunResult r = o.result();
          requests += o.load().requests();
          RunResult.Adoption a = r.adoption();
          table.add(
              String.format(
                  Locale.ROOT,
                  "%-15s %-10s %-9s %-24s %7d %6d  %-34s %6.1f %6.1f %7.1f %8s",
                  scenario,
                  kind,
                  r.hardened() ? "hardened" : "naive",
                  a == null
                      ? "-"
                      : a.failed()
                          + "/"
                          + a.requests()
                          + " "
                          + (a.failed() == 0 ? "" : a.failuresByClass()),
                  r.requests(),
                  r.failed(),
                  r.failuresByClass(),
                  r.latencyMs().p50(),
                  r.latencyMs().p99(),
                  r.latencyMs().max(),
                  r.rolloutSeconds().isEmpty() ? "-" : r.rolloutSeconds().get(0) + "s"));
          for (RunOutcome.NodeDelays n : o.nodes()) {
            delays.add(
                String.format(
                    Locale.ROOT,
                    "%-15s %-9s %-10s n=%-3d p50=%5d p90=%5d p99=%5d max=%5d ms  configured %s",
                    scenario,
                    r.hardened() ? "hardened" : "naive",
                    n.node(),
                    n.measured().size(),
                    pct(n.measured(), 0.50),
                    pct(n.measured(), 0.90),
                    pct(n.measured(), 0.99),
                    pct(n.measured(), 1.0),
                    n.profile()));
          }
        }
      }
    }
    double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
    double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;

    System.out.printf(
        "%n%-15s %-10s %-9s %-24s %7s %6s  %-34s %6s %6s %7s %8s%n",
        "scenario",
        "data plane",
        "run",
        "adoption failed/requests",
        "requests",
        "failed",
        "failures by class (after adoption)",
        "p50ms",
        "p99ms",
        "max ms",
        "rollout");
    table.forEach(System.out::println);
    System.out.printf(
        "%nmeasured propagation per node (change heard -> applied), against the configured profile:%n");
    delays.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "%nlab CPU: %.1f s of process CPU in %.1f s wall (%.2f cores on average), "
            + "%.0f us of CPU per request sent (every lab: control plane, pods, proxies, operator, load generator)%n",
        cpuSeconds,
        wallSeconds,
        cpuSeconds / wallSeconds,
        requests == 0 ? 0 : cpuSeconds * 1e6 / requests);
  }

  /**
   * The workload as a user of that data plane would harden it. kube-proxy's delay is in its metric,
   * which Auto reads; an ingress controller's reload is not (kube-proxy's metric never sees it), so
   * its user states it as a budget: ingress-nginx syncs at most {@code --sync-rate-limit} 0.3 times
   * a second (https://kubernetes.github.io/ingress-nginx/user-guide/cli-arguments/), up to 3.3 s
   * behind a change, rounded up.
   */
  private static LabWorkload workload(String kind) {
    LabWorkload workload = LabWorkload.articleDefaults().withShutdown(ShutdownStyle.GRACEFUL);
    return kind.equals("ingress") ? workload.withPreStopBudget("ingress", 4) : workload;
  }

  private static LabSettings.Network network(String kind) {
    return switch (kind) {
      case "kube-proxy" -> LabSettings.Network.kubeProxies(3);
      case "ingress" ->
          LabSettings.Network.of(Collections.nCopies(3, LabSettings.NodeNetwork.ingress()));
      default ->
          throw new IllegalArgumentException(
              "unknown data-plane kind " + kind + " (kube-proxy, ingress)");
    };
  }

  private static long pct(List<Duration> values, double q) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Duration> sorted = values.stream().sorted().toList();
    return sorted
        .get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(q * sorted.size()) - 1)))
        .toMillis();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }
}
