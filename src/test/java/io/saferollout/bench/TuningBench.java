package io.saferollout.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
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
import io.saferollout.api.SpecDefaults;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.scenario.RolloutCompletion;
import io.saferollout.load.ClientMix;
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
import java.util.function.Consumer;

/**
 * preStop Fixed 15 s against Auto on the lab's default network (three kube-proxy nodes), under
 * constant traffic, N image changes each: rollout time p50/p99, requests lost, and each arm's
 * rollout time against the physical minimum, ceil(replicas / maxSurge) x (pod start + readiness +
 * minReadySeconds) + removal p99 (the last old pod must outwait endpoint removal; earlier old pods
 * wait out their preStop while the next new pod starts, so only the last one adds its delay).
 * Prints numbers, asserts nothing.
 *
 * <p>A rollout's length depends on the preStop its <em>old</em> pods carry, i.e. the value in the
 * template before the change: Auto's first rollout still waits out the default delay (no
 * measurement yet), so p50 is the figure that shows the tuned value, p99 the first rollout.
 *
 * <p>The speed-up over Fixed 15 s has a ceiling no tuning can pass: (steps + 15 s) / (steps +
 * removal p99), where steps is the first term of the minimum. The bench prints it per run.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:java -Dbench=TuningBench
 * -Dexec.args="--rollouts 20"}. Options (defaults): {@code --rollouts 5 --rps 500 --seed 1
 * --replicas 3 --max-surge 25% --min-ready 5 --clients 50%} (the keep-alive share, or e.g. {@code
 * http2=50}: the rest open a connection per request), and {@code --auto-factor F} for a third arm,
 * Auto with factor F. The default of 5 rollouts per arm takes about 6 minutes on a 2-core machine.
 */
public final class TuningBench {
  static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(3);
  static final int FIXED_SECONDS = 15;

  record Arm(
      String name,
      List<Double> rolloutSeconds,
      LoadReport load,
      SafeRolloutStatus status,
      double startAndReadySeconds) {}

  record Workload(int replicas, IntOrString maxSurge, int minReadySeconds) {
    int steps() {
      int surge =
          maxSurge.getStrVal() != null
              ? (int)
                  Math.ceil(
                      replicas * Double.parseDouble(maxSurge.getStrVal().replace("%", "")) / 100)
              : maxSurge.getIntVal();
      return (int) Math.ceil((double) replicas / Math.max(1, surge));
    }

    void applyTo(SafeRollout sr) {
      sr.getSpec().getStrategy().setMaxSurge(maxSurge);
      sr.getSpec().getStrategy().setMinReadySeconds(minReadySeconds);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int rollouts = Integer.parseInt(opts.getOrDefault("rollouts", "5"));
    double rps = Double.parseDouble(opts.getOrDefault("rps", "500"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    ClientMix clients = ClientMix.parse(opts.getOrDefault("clients", "50%"));
    String surge = opts.getOrDefault("max-surge", SpecDefaults.MAX_SURGE);
    Workload shape =
        new Workload(
            Integer.parseInt(opts.getOrDefault("replicas", "3")),
            surge.endsWith("%") ? new IntOrString(surge) : new IntOrString(Integer.parseInt(surge)),
            Integer.parseInt(
                opts.getOrDefault("min-ready", String.valueOf(SpecDefaults.MIN_READY_SECONDS))));
    System.out.printf(
        Locale.ROOT,
        "cores=%d rps=%.0f rollouts=%d per arm seed=%d clients=%s network=%s%n"
            + "workload: %d replicas, maxSurge %s (%d steps), minReadySeconds %d,"
            + " graceful app, readiness probe every 1 s%n",
        Runtime.getRuntime().availableProcessors(),
        rps,
        rollouts,
        seed,
        clients,
        LabSettings.defaults().network().describe(),
        shape.replicas(),
        surge,
        shape.steps(),
        shape.minReadySeconds());
    List<Arm> arms = new ArrayList<>();
    arms.add(
        run(
            "Fixed " + FIXED_SECONDS + " s",
            shape,
            sr -> {
              sr.getSpec().getPreStop().setMode(PreStopMode.Fixed);
              sr.getSpec().getPreStop().setDelaySeconds(FIXED_SECONDS);
            },
            rollouts,
            rps,
            clients,
            seed));
    arms.add(
        run(
            "Auto",
            shape,
            sr -> sr.getSpec().getPreStop().setMode(PreStopMode.Auto),
            rollouts,
            rps,
            clients,
            seed));
    if (opts.containsKey("auto-factor")) {
      double factor = Double.parseDouble(opts.get("auto-factor"));
      arms.add(
          run(
              "Auto x" + factor,
              shape,
              sr -> {
                sr.getSpec().getPreStop().setMode(PreStopMode.Auto);
                sr.getSpec().getPreStop().setFactor(factor);
              },
              rollouts,
              rps,
              clients,
              seed));
    }

    System.out.printf(
        "%n%-11s %9s %5s %9s %9s %12s %12s %11s %10s %11s%n",
        "preStop",
        "requests",
        "lost",
        "roll p50",
        "roll p99",
        "preStop end",
        "removal p99",
        "minimum",
        "p50/min",
        "Fixed/this");
    double fixedP50 = pct(arms.get(0).rolloutSeconds().stream().sorted().toList(), 0.50);
    for (Arm a : arms) {
      List<Double> sorted = a.rolloutSeconds().stream().sorted().toList();
      long removalP99 = removalP99Millis(a.status());
      double steps = shape.steps() * (a.startAndReadySeconds() + shape.minReadySeconds());
      double minimum = steps + removalP99 / 1000.0;
      System.out.printf(
          Locale.ROOT,
          "%-11s %9d %5d %8.1fs %8.1fs %11ss %10dms %10.1fs %9.2fx %10.2fx%n",
          a.name(),
          a.load().requests(),
          a.load().failed(),
          pct(sorted, 0.50),
          pct(sorted, 0.99),
          a.status().getPreStopTuning() == null
              ? "?"
              : a.status().getPreStopTuning().getInForceSeconds(),
          removalP99,
          minimum,
          pct(sorted, 0.50) / minimum,
          fixedP50 / pct(sorted, 0.50));
      System.out.printf(
          Locale.ROOT,
          "            failures %s; minimum = %d steps x (%.2f s start+ready + %d s minReady)"
              + " + %d ms removal; no preStop >= removal can beat Fixed by more than"
              + " (%.1f + %d) / %.1f = %.2fx here%n",
          a.load().failuresByClass(),
          shape.steps(),
          a.startAndReadySeconds(),
          shape.minReadySeconds(),
          removalP99,
          steps,
          FIXED_SECONDS,
          minimum,
          (steps + FIXED_SECONDS) / minimum);
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

  private static Arm run(
      String name,
      Workload shape,
      Consumer<SafeRollout> preStop,
      int rollouts,
      double rps,
      ClientMix clients,
      long seed)
      throws Exception {
    // A graceful app: the hardening's other half (an app that exits at once cuts keep-alive
    // connections whatever preStop does, which this bench does not measure).
    LabWorkload workload =
        LabWorkload.articleDefaults()
            .withReplicas(shape.replicas())
            .withShutdown(ShutdownStyle.GRACEFUL);
    try (Lab lab = Lab.start(LabSettings.defaults().withSeed(seed))) {
      KubernetesClient client = lab.client();
      lab.deploy(workload);
      lab.harden(
          workload,
          sr -> {
            shape.applyTo(sr);
            preStop.accept(sr);
            return sr;
          });
      await(
          name + ": hardened and rolled out",
          () ->
              hardened(lab, workload) && complete(client, workload) && lab.dataPlane().converged());
      LoadPlan.Builder plan =
          LoadPlan.builder()
              .ratePerSecond(rps)
              .clientMix(clients)
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
          String oldPreStop = templatePreStop(client, workload);
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
              "%s rollout %d/%d: %.1f s; preStop of the old pods %s s, of the new pods %s s%n",
              name,
              i + 1,
              rollouts,
              seconds.get(i),
              oldPreStop,
              templatePreStop(client, workload));
          Thread.sleep(2000);
        }
        report = load.stop();
      }
      // The operator closes a rollout's record at its next reconcile after the last pod is gone.
      await(
          name + ": last rollout recorded",
          () -> status(client, workload).getActiveRollouts().isEmpty());
      return new Arm(
          name, seconds, report, status(client, workload), startAndReady(lab, measuredFrom));
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
