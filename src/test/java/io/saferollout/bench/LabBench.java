package io.saferollout.bench;

import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.scenario.Comparison;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.Scenario;
import io.saferollout.lab.scenario.ScenarioPlan;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Many rollouts and pod kills under load, naive and hardened side by side, in one process: how
 * many requests each loses, how long rollouts take (p50/p99), and what the lab itself costs in
 * CPU. Prints numbers, asserts nothing.
 *
 * <p>Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * && java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.saferollout.bench.LabBench
 * [--rollouts N] [--kills N] [--rps N] [--seed N]}.
 *
 * <p>A hardened rolling update of 3 pods takes about 12 s here (each new pod warms up, passes its
 * readiness probe and minReadySeconds before the next starts; the last old pod sleeps 3 s in
 * preStop), so 100 rollouts and 100 kills would take about 25 minutes. The default is 25 of each,
 * which fits in about 8 minutes on a 2-core machine; pass --rollouts 100 --kills 100 for the full run.
 */
public final class LabBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int rollouts = Integer.parseInt(opts.getOrDefault("rollouts", "25"));
        int kills = Integer.parseInt(opts.getOrDefault("kills", "25"));
        double rps = Double.parseDouble(opts.getOrDefault("rps", "500"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        if (rollouts < 100 || kills < 100) {
            System.out.printf("scaled down from 100 rollouts + 100 kills to %d + %d so the run fits in ~10 minutes "
                    + "on this machine (a hardened rollout takes ~12 s); pass --rollouts/--kills to change%n", rollouts, kills);
        }
        System.out.printf("cores=%d rps=%.0f rollouts=%d kills=%d seed=%d scenario=rolling-update with kills between%n",
                Runtime.getRuntime().availableProcessors(), rps, rollouts, kills, seed);

        ScenarioPlan plan = ScenarioPlan.of(Scenario.ROLLING_UPDATE, rps, seed).withCounts(rollouts, kills);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long wallBefore = System.nanoTime();
        List<RunOutcome> outcomes;
        Map<String, Long> cpuByThreadGroup;
        try (Comparison comparison = new Comparison(LabSettings.defaults().withSeed(seed), LabWorkload.articleDefaults(), plan)) {
            outcomes = comparison.execute();
            // Sampled before the labs close, while their threads still exist.
            cpuByThreadGroup = cpuByThreadGroup(threads);
        }
        double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;

        System.out.printf("%n%-9s %10s %8s %-40s %9s %9s %9s%n", "run", "requests", "failed", "failures by class",
                "roll p50", "roll p99", "roll max");
        long requests = 0;
        for (RunOutcome o : outcomes) {
            RunResult r = o.result();
            requests += r.requests();
            List<Double> sorted = r.rolloutSeconds().stream().sorted().toList();
            System.out.printf(Locale.ROOT, "%-9s %10d %8d %-40s %8.1fs %8.1fs %8.1fs%n", r.hardened() ? "hardened" : "naive",
                    r.requests(), r.failed(), r.failuresByClass(), pct(sorted, 0.50), pct(sorted, 0.99),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
        }
        System.out.printf(Locale.ROOT, "%nlab CPU: %.1f s of process CPU in %.1f s wall (%.2f cores on average), "
                + "%.0f us of CPU per request sent (both labs: control plane, pods, proxies, operator, load)%n",
                cpuSeconds, wallSeconds, cpuSeconds / wallSeconds, requests == 0 ? 0 : cpuSeconds * 1e6 / requests);
        System.out.println("CPU by thread group (live threads at the end of the runs, seconds):");
        cpuByThreadGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-40s %7.1f%n", e.getKey(), e.getValue() / 1e9));
    }

    private static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Threads grouped by name without their trailing number: "vert.x-eventloop-thread", "lab-kubelet-probe", ... */
    private static Map<String, Long> cpuByThreadGroup(ThreadMXBean threads) {
        Map<String, Long> groups = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long cpu = threads.getThreadCpuTime(t.getId());
            if (cpu > 0) {
                groups.merge(t.getName().replaceAll("[-\\s]*\\d+$", "").replaceAll("\\d+", "N"), cpu, Long::sum);
            }
        }
        return groups;
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
