package io.saferollout.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopMode;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRollout;
import io.saferollout.api.SafeRolloutStatus;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.scenario.RolloutCompletion;
import io.saferollout.load.LoadGenerator;
import io.saferollout.load.LoadPlan;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * preStop Fixed 15 s against Auto on the lab's default network (three kube-proxy nodes), under
 * constant traffic, N image changes each: rollout time p50/p99, requests lost, and Auto's rollout
 * time against the physical minimum, replicas / maxSurge x (pod start + readiness) + removal p99
 * (the last old pod must outwait endpoint removal). Prints numbers, asserts nothing.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dbench=TuningBench
 * -Dexec.args="--rollouts 20"}. The default of 5 rollouts per arm takes about 4 minutes on a 2-core
 * machine (a Fixed rollout waits 15 s for its last old pod).
 */
public final class TuningBench {
  static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(3);

  record Arm(
      String name,
      List<Double> rolloutSeconds,
      LoadReport load,
      SafeRolloutStatus status,
      double startAndReadySeconds,
      int replicas,
      int maxSurge) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int rollouts = Integer.parseInt(opts.getOrDefault("rollouts", "5"));
    double rps = Double.parseDouble(opts.getOrDefault("rps", "500"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    System.out.printf(
        Locale.ROOT,
        "cores=%d rps=%.0f rollouts=%d per arm seed=%d network=%s%n",
        Runtime.getRuntime().availableProcessors(),
        rps,
        rollouts,
        seed,
        LabSettings.defaults().network().describe());
    List<Arm> arms = new ArrayList<>();
    arms.add(run("Fixed 15 s", PreStopMode.Fixed, rollouts, rps, seed));
    arms.add(run("Auto", PreStopMode.Auto, rollouts, rps, seed));

    System.out.printf(
        "%n%-11s %9s %7s %9s %9s %9s %14s %12s%n",
        "preStop",
        "requests",
        "lost",
        "roll p50",
        "roll p99",
        "preStop end",
        "removal p99",
        "vs minimum");
    for (Arm a : arms) {
      List<Double> sorted = a.rolloutSeconds().stream().sorted().toList();
      long removalP99 = removalP99Millis(a.status());
      double minimum =
          Math.ceil((double) a.replicas() / a.maxSurge()) * a.startAndReadySeconds()
              + removalP99 / 1000.0;
      System.out.printf(
          Locale.ROOT,
          "%-11s %9d %7d %8.1fs %8.1fs %10ss %12dms %11.2fx%n",
          a.name(),
          a.load().requests(),
          a.load().failed(),
          pct(sorted, 0.50),
          pct(sorted, 0.99),
          a.status().getPreStopTuning() == null
              ? "?"
              : a.status().getPreStopTuning().getInForceSeconds(),
          removalP99,
          pct(sorted, 0.50) / minimum);
      System.out.printf(
          Locale.ROOT,
          "            failures %s; minimum = ceil(%d/%d) x %.2f s start+ready + %d ms removal = %.1f s%n",
          a.load().failuresByClass(),
          a.replicas(),
          a.maxSurge(),
          a.startAndReadySeconds(),
          removalP99,
          minimum);
    }
    Arm auto = arms.get(1);
    System.out.println("\nAuto's status.preStopTuning and its last rollout record:");
    SafeRolloutStatus excerpt = new SafeRolloutStatus();
    excerpt.setPreStopTuning(auto.status().getPreStopTuning());
    List<RolloutRecord> records = auto.status().getRollouts();
    excerpt.setRollouts(records.isEmpty() ? List.of() : List.of(records.get(records.size() - 1)));
    System.out.println(
        Serialization.asYaml(
            Map.of(
                "status",
                Map.of(
                    "preStopTuning",
                    excerpt.getPreStopTuning(),
                    "rollouts",
                    excerpt.getRollouts()))));
  }

  private static Arm run(String name, PreStopMode mode, int rollouts, double rps, long seed)
      throws Exception {
    LabWorkload workload = LabWorkload.articleDefaults().withPreStopSeconds(15);
    try (Lab lab = Lab.start(LabSettings.defaults().withSeed(seed))) {
      KubernetesClient client = lab.client();
      lab.deploy(workload);
      lab.harden(workload);
      if (mode == PreStopMode.Auto) {
        client
            .resources(SafeRollout.class)
            .inNamespace(Lab.NAMESPACE)
            .withName(workload.name())
            .edit(
                sr -> {
                  sr.getSpec().getPreStop().setMode(PreStopMode.Auto);
                  return sr;
                });
      }
      await(
          name + ": hardened and rolled out",
          () ->
              hardened(lab, workload) && complete(client, workload) && lab.dataPlane().converged());
      LoadPlan.Builder plan =
          LoadPlan.builder()
              .ratePerSecond(rps)
              .scope(TargetScope.LOOPBACK_ONLY)
              .requestTimeout(Duration.ofSeconds(10));
      lab.serviceUrls().forEach(plan::target);
      List<Double> seconds = new ArrayList<>();
      LoadReport report;
      Instant measuredFrom = Instant.now();
      try (LoadGenerator load = LoadGenerator.create(plan.build())) {
        load.start();
        Thread.sleep(2000);
        for (int i = 0; i < rollouts; i++) {
          String image = LabWorkload.IMAGE_REPOSITORY + ":v" + (i + 2);
          long t0 = System.nanoTime();
          client
              .apps()
              .deployments()
              .inNamespace(Lab.NAMESPACE)
              .withName(workload.name())
              .edit(
                  d ->
                      new DeploymentBuilder(d)
                          .editSpec()
                          .editTemplate()
                          .editSpec()
                          .editContainer(0)
                          .withImage(image)
                          .endContainer()
                          .endSpec()
                          .endTemplate()
                          .endSpec()
                          .build());
          await(name + " rollout " + (i + 1), () -> complete(client, workload));
          seconds.add((System.nanoTime() - t0) / 1e9);
          System.out.printf(
              Locale.ROOT,
              "%s rollout %d/%d: %.1f s, preStop in the template now %s s%n",
              name,
              i + 1,
              rollouts,
              seconds.get(i),
              templatePreStop(client, workload));
          Thread.sleep(2000);
        }
        report = load.stop();
      }
      // The operator closes a rollout's record at its next reconcile after the last pod is gone.
      await(
          name + ": last rollout recorded",
          () -> status(client, workload).getActiveRollouts().isEmpty());
      int maxSurge = Math.max(1, (int) Math.ceil(workload.replicas() * 0.25));
      return new Arm(
          name,
          seconds,
          report,
          status(client, workload),
          startAndReady(lab, measuredFrom) + io.saferollout.api.SpecDefaults.MIN_READY_SECONDS,
          workload.replicas(),
          maxSurge);
    }
  }

  /** Median time from a pod's creation to Ready among pods created while measuring. */
  private static double startAndReady(Lab lab, Instant from) {
    Map<String, Instant> created = new HashMap<>();
    List<Double> seconds = new ArrayList<>();
    for (LabEvent e : lab.timeline().events()) {
      if (e.at().isBefore(from)) {
        continue;
      }
      if (e.kind() == LabEvent.Kind.POD_CREATED) {
        created.put(e.name(), e.at());
      } else if (e.kind() == LabEvent.Kind.POD_READY && created.containsKey(e.name())) {
        seconds.add(Duration.between(created.remove(e.name()), e.at()).toMillis() / 1000.0);
      }
    }
    return pct(seconds.stream().sorted().toList(), 0.50);
  }

  private static long removalP99Millis(SafeRolloutStatus s) {
    if (s.getPreStopTuning() == null || s.getPreStopTuning().getEvidence() == null) {
      return 0;
    }
    LatencyFigures cp = s.getPreStopTuning().getEvidence().getEndpointRemovalMs();
    LatencyFigures dp = s.getPreStopTuning().getEvidence().getDataPlaneMs();
    return (cp == null || cp.getP99() == null ? 0 : cp.getP99())
        + (dp == null || dp.getP99() == null ? 0 : dp.getP99());
  }

  /**
   * The template carries a preStop and no rollout is being followed. (Auto may hold a tuned value
   * for the next rollout by then, in status.pending: that is what it should do.)
   */
  private static boolean hardened(Lab lab, LabWorkload workload) {
    SafeRollout sr = lab.safeRollout(workload.name());
    return sr != null
        && sr.getStatus() != null
        && sr.getStatus().getActiveRollouts().isEmpty()
        && templatePreStop(lab.client(), workload) != null;
  }

  private static String templatePreStop(KubernetesClient client, LabWorkload workload) {
    Deployment d =
        client.apps().deployments().inNamespace(Lab.NAMESPACE).withName(workload.name()).get();
    var lifecycle = d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle();
    return lifecycle == null
            || lifecycle.getPreStop() == null
            || lifecycle.getPreStop().getSleep() == null
        ? null
        : String.valueOf(lifecycle.getPreStop().getSleep().getSeconds());
  }

  private static boolean complete(KubernetesClient client, LabWorkload workload) {
    Deployment d =
        client.apps().deployments().inNamespace(Lab.NAMESPACE).withName(workload.name()).get();
    List<Pod> pods =
        client
            .pods()
            .inNamespace(Lab.NAMESPACE)
            .withLabel("app", workload.name())
            .list()
            .getItems();
    return RolloutCompletion.isComplete(d, pods);
  }

  private static SafeRolloutStatus status(KubernetesClient client, LabWorkload workload) {
    SafeRollout sr =
        client
            .resources(SafeRollout.class)
            .inNamespace(Lab.NAMESPACE)
            .withName(workload.name())
            .get();
    return sr.getStatus() == null ? new SafeRolloutStatus() : sr.getStatus();
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + ROLLOUT_TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not done within " + ROLLOUT_TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.isEmpty()
        ? 0
        : sorted.get(
            Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(q * sorted.size()) - 1)));
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
