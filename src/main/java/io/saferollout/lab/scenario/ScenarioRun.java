package io.saferollout.lab.scenario;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.lab.dataplane.NodeProxy;
import io.saferollout.load.FailureEvent;
import io.saferollout.load.LoadGenerator;
import io.saferollout.load.LoadPlan;
import io.saferollout.load.LoadProgress;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import io.saferollout.operator.rollout.RolloutObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scenario against one lab, with nothing hidden: deploy the naive workload and wait until it is
 * rolled out; start constant traffic through every node; for a hardened run, create the SafeRollout
 * while traffic flows and measure the adoption rollout it causes on its own; then run the
 * scenario's steps one after another, each waited for until complete, and count what failed.
 */
public final class ScenarioRun {

  private static final Logger LOG = LoggerFactory.getLogger(ScenarioRun.class);

  /**
   * The naive Deployment's first rollout: a few pod starts, generously bounded for a loaded
   * machine.
   */
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

  /**
   * The adoption rollout replaces every pod under the SafeRollout's defaults (minReadySeconds,
   * preStop delay), one surge pod at a time: 3 pods take about a minute; bounded with room.
   */
  private static final Duration ADOPTION_TIMEOUT = Duration.ofSeconds(240);

  private static final long POLL_MILLIS = 100;

  private final Lab lab;
  private final LabWorkload workload;
  private final ScenarioPlan plan;
  private final Arm arm;
  private volatile String phase = "starting";
  private volatile LoadGenerator load;
  private volatile long lastRequests;
  private volatile long lastFailed;

  /**
   * @param workload the workload; the arm's app shutdown style and the scenario's replica count (if
   *     it has one) replace the workload's own
   */
  public ScenarioRun(Lab lab, LabWorkload workload, ScenarioPlan plan, Arm arm) {
    this.lab = lab;
    LabWorkload own = workload.withShutdown(arm.app());
    own = plan.scenario().serviceTime().map(own::withServiceTime).orElse(own);
    this.workload =
        plan.scenario().replicas().isPresent()
            ? own.withReplicas(plan.scenario().replicas().getAsInt())
            : own;
    this.plan = plan;
    this.arm = arm;
    if (plan.scenario().scalesDown(plan.rollouts()) && this.workload.replicas() < 2) {
      throw new IllegalArgumentException(
          "scenario "
              + plan.scenario()
              + " scales down by one pod and needs "
              + "at least 2 replicas, got "
              + this.workload.replicas());
    }
  }

  public RunProgress progress() {
    LoadGenerator running = load;
    if (running != null) {
      var p = running.progress();
      lastRequests = p.requests();
      lastFailed = p.failed();
    }
    return new RunProgress(plan.scenario(), arm, phase, lastRequests, lastFailed);
  }

  /**
   * Runs setup, adoption (hardened runs) and the measured part.
   *
   * @throws IllegalStateException when setup, adoption or a step does not complete in time
   */
  public RunOutcome execute() throws InterruptedException {
    Disruptions disruptions =
        new Disruptions(lab.client(), Lab.NAMESPACE, workload.name(), plan.seed());
    phase = "deploying";
    lab.deploy(workload);
    if (plan.scenario().needsDisruptionBudget()) {
      lab.client()
          .policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace(Lab.NAMESPACE)
          .resource(workload.disruptionBudget(Lab.NAMESPACE))
          .create();
    }
    awaitOrFail("setup", SETUP_TIMEOUT, () -> rolledOut(disruptions));
    // The naive pods have no readiness probe: "ready" comes before they are warm. Traffic starts
    // once they are, so that the steady state before any step (and before adoption) is steady.
    Thread.sleep(workload.listenDelay().plus(workload.warmup()).toMillis());

    List<StepMark> marks = new ArrayList<>();
    List<Double> rolloutSeconds = new ArrayList<>();
    LoadPlan.Builder loadPlan =
        LoadPlan.builder()
            .ratePerSecond(plan.ratePerSecond())
            .scope(TargetScope.LOOPBACK_ONLY)
            .clientMix(plan.clientMix())
            .requestTimeout(Duration.ofSeconds(10));
    lab.serviceUrls().forEach(loadPlan::target);
    LoadReport report;
    Instant measuredFrom;
    LoadProgress atAdoptionEnd;
    double adoptionSeconds = 0;
    int rollouts = 0;
    int kills = 0;
    try (LoadGenerator generator = LoadGenerator.create(loadPlan.build())) {
      phase = "steady traffic";
      generator.start();
      load = generator;
      Thread.sleep(plan.leadIn().toMillis());
      if (arm.hardened()) {
        phase = "adoption: operator hardening the live Deployment";
        long t0 = System.nanoTime();
        lab.harden(workload);
        awaitOrFail("adoption rollout", ADOPTION_TIMEOUT, () -> hardenedAndRolledOut(disruptions));
        adoptionSeconds = seconds(System.nanoTime() - t0);
        // Every node has applied the adoption's last change (rolledOut checks convergence);
        // a lead-in after it separates its stragglers from the first step.
        phase = "steady traffic";
        Thread.sleep(plan.leadIn().toMillis());
      }
      measuredFrom = Instant.now();
      atAdoptionEnd = generator.progress();
      for (Step step : plan.scenario().steps(plan.rollouts(), plan.kills())) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        String what;
        List<StepMark.DeletedPod> deleted = new ArrayList<>();
        if (step instanceof Step.Rollout rollout) {
          rollouts++;
          what = rolloutLabel(rollout.kind()) + " " + rollouts + "/" + plan.rollouts();
          phase = what;
          rollOut(disruptions, rollout.kind(), what, deleted);
          rolloutSeconds.add(Math.round(seconds(System.nanoTime() - t0) * 100) / 100.0);
        } else {
          kills++;
          var victim = disruptions.killOne();
          victim.ifPresent(p -> deleted.add(StepMark.DeletedPod.of(p)));
          what =
              "kill "
                  + kills
                  + "/"
                  + plan.kills()
                  + " ("
                  + victim.map(p -> p.getMetadata().getName()).orElse("no pod")
                  + ")";
          phase = what;
          awaitOrFail(what, plan.stepTimeout(), () -> complete(disruptions));
        }
        marks.add(new StepMark(what, started, Instant.now(), deleted));
        phase = "steady traffic";
        Thread.sleep(disruptions.pauseMillis(plan.pauseBetweenSteps().toMillis()));
      }
      phase = "tail traffic";
      Thread.sleep(plan.tail().toMillis());
      phase = "stopping traffic";
      report = generator.stop();
      load = null;
      lastRequests = report.requests();
      lastFailed = report.failed();
    }
    phase = "done";
    RunResult.Removal removal = arm.hardened() ? removal(disruptions) : null;
    RunResult result =
        result(
            report,
            measuredFrom,
            atAdoptionEnd,
            adoptionSeconds,
            rollouts,
            kills,
            rolloutSeconds,
            removal);
    LOG.info("{}: {}", arm.label(), result);
    List<LabEvent> events = lab.timeline().events();
    return new RunOutcome(
        result, report, measuredFrom, Instant.now(), marks, events, lab.endpointHistory(), nodes());
  }

  /**
   * The run's figures: for a hardened run, what happened before {@code measuredFrom} is the
   * adoption's and the rest is the measured part's; a naive run's lead-in has no adoption and
   * counts with the rest (it loses nothing: the pods are warm and nothing changes).
   */
  private RunResult result(
      LoadReport report,
      Instant measuredFrom,
      LoadProgress atAdoptionEnd,
      double adoptionSeconds,
      int rollouts,
      int kills,
      List<Double> rolloutSeconds,
      RunResult.Removal removal) {
    RunResult.Adoption adoption = null;
    Map<String, Long> measuredByClass = new TreeMap<>(report.failuresByClass());
    long measuredRequests = report.requests();
    if (arm.hardened()) {
      Map<String, Long> adoptionByClass = failuresBefore(report.failureEvents(), measuredFrom);
      adoptionByClass.forEach(
          (k, v) -> measuredByClass.merge(k, -v, (a, b) -> a + b == 0 ? null : a + b));
      long adoptionFailed = adoptionByClass.values().stream().mapToLong(Long::longValue).sum();
      adoption =
          new RunResult.Adoption(
              atAdoptionEnd.requests(),
              adoptionFailed,
              adoptionByClass,
              Math.round(adoptionSeconds * 100) / 100.0);
      measuredRequests -= atAdoptionEnd.requests();
    }
    long measuredFailed = measuredByClass.values().stream().mapToLong(Long::longValue).sum();
    return new RunResult(
        plan.scenario().id(),
        arm.hardened(),
        arm.app().annotationValue(),
        arm.purpose() == Arm.Purpose.CONTROL,
        measuredRequests,
        measuredFailed,
        measuredByClass,
        rollouts,
        kills,
        rolloutSeconds,
        RunResult.Latency.of(report.latency()),
        adoption,
        removal);
  }

  /**
   * What the operator measured and what new pods carry, read once traffic has stopped: the tail
   * gives the operator time to record the last rollout before its status is read.
   */
  private RunResult.Removal removal(Disruptions disruptions) {
    SafeRollout sr = lab.safeRollout(workload.name());
    Deployment d = disruptions.current();
    Integer preStop = d == null ? null : RolloutObserver.templatePreStop(d).orElse(null);
    return RunResult.Removal.of(sr == null ? null : sr.getStatus(), preStop);
  }

  /**
   * Failures known before {@code boundary}, by class. The load report lists failures up to its cap
   * (100,000 by default), far beyond what an adoption rollout at demo rates can lose.
   */
  static Map<String, Long> failuresBefore(List<FailureEvent> events, Instant boundary) {
    Map<String, Long> byClass = new TreeMap<>();
    events.stream()
        .filter(e -> e.at().isBefore(boundary))
        .forEach(e -> byClass.merge(e.failureClass(), 1L, Long::sum));
    return byClass;
  }

  private List<RunOutcome.NodeDelays> nodes() {
    List<RunOutcome.NodeDelays> nodes = new ArrayList<>();
    List<NodeProxy> proxies = lab.dataPlane().proxies();
    List<LabSettings.NodeNetwork> configured = lab.settings().network().nodes();
    for (int i = 0; i < proxies.size(); i++) {
      NodeProxy p = proxies.get(i);
      nodes.add(
          new RunOutcome.NodeDelays(
              p.name(),
              p.kind().id(),
              configured.get(i).propagation().describe(),
              p.measuredDelays()));
    }
    return nodes;
  }

  private void rollOut(
      Disruptions disruptions, RolloutKind kind, String what, List<StepMark.DeletedPod> deleted)
      throws InterruptedException {
    switch (kind) {
      case IMAGE_CHANGE -> disruptions.changeImage();
      case RESTART -> disruptions.restart();
      case SCALE_DOWN -> {
        int replicas = workload.replicas();
        disruptions.scaleTo(replicas - 1);
        awaitOrFail(what + " (down)", plan.stepTimeout(), () -> complete(disruptions));
        disruptions.scaleTo(replicas);
      }
      case NODE_DRAIN ->
          disruptions
              .drain(plan.stepTimeout())
              .forEach(p -> deleted.add(StepMark.DeletedPod.of(p)));
      case IMAGE_CHANGE_WITH_KILL -> {
        disruptions.changeImage();
        // Long enough for the first new pod to be created, short of the rollout's end.
        Thread.sleep(1_000);
        disruptions.killOne().ifPresent(p -> deleted.add(StepMark.DeletedPod.of(p)));
      }
    }
    awaitOrFail(what, plan.stepTimeout(), () -> complete(disruptions));
  }

  private static String rolloutLabel(RolloutKind kind) {
    return switch (kind) {
      case IMAGE_CHANGE -> "rolling update";
      case RESTART -> "rollout restart";
      case SCALE_DOWN -> "scale down and up";
      case NODE_DRAIN -> "node drain";
      case IMAGE_CHANGE_WITH_KILL -> "rolling update with a kill";
    };
  }

  private boolean complete(Disruptions disruptions) {
    return RolloutCompletion.isComplete(disruptions.current(), disruptions.pods());
  }

  /** Rolled out, and every node routes to exactly the ready pods. */
  private boolean rolledOut(Disruptions disruptions) {
    Deployment d = disruptions.current();
    return d != null
        && RolloutCompletion.isComplete(d, disruptions.pods())
        && lab.dataPlane().converged();
  }

  /**
   * The operator reports Hardened, the template carries its readiness probe (and its preStop hook,
   * unless the delay is 0), and the rollout that change caused is complete everywhere.
   */
  private boolean hardenedAndRolledOut(Disruptions disruptions) {
    if (!rolledOut(disruptions)) {
      return false;
    }
    SafeRollout sr = lab.safeRollout(workload.name());
    // AwaitingRollout: hardened, with a tuned preStop held for the next rollout (Auto).
    boolean phaseHardened =
        sr != null
            && sr.getStatus() != null
            && (sr.getStatus().getPhase() == Phase.Hardened
                || sr.getStatus().getPhase() == Phase.AwaitingRollout);
    Container app = disruptions.current().getSpec().getTemplate().getSpec().getContainers().get(0);
    boolean preStop =
        workload.effectivePreStopSeconds() == 0
            || app.getLifecycle() != null && app.getLifecycle().getPreStop() != null;
    List<Pod> pods = disruptions.pods();
    boolean podsHardened =
        pods.stream().allMatch(p -> p.getSpec().getContainers().get(0).getReadinessProbe() != null);
    return phaseHardened && app.getReadinessProbe() != null && preStop && podsHardened;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void awaitOrFail(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what + " did not complete within " + timeout.toSeconds() + " s");
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }
}
