package io.saferollout.lab.scenario;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.saferollout.api.Phase;
import io.saferollout.api.SafeRollout;
import io.saferollout.lab.Lab;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.cluster.LabEvent;
import io.saferollout.load.LoadGenerator;
import io.saferollout.load.LoadPlan;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scenario against one lab: deploy the workload (and harden it, for a hardened run), wait
 * until it is rolled out, then send constant traffic through every node while the scenario's
 * steps happen one after another, each waited for until complete, and count what failed.
 */
public final class ScenarioRun {

    private static final Logger LOG = LoggerFactory.getLogger(ScenarioRun.class);
    /** Setup includes the operator's own hardening rollout: a few pod lifetimes, generously bounded for a loaded machine. */
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    private static final long POLL_MILLIS = 100;

    private final Lab lab;
    private final LabWorkload workload;
    private final ScenarioPlan plan;
    private final boolean hardened;
    private volatile String phase = "starting";
    private volatile LoadGenerator load;
    private volatile long lastRequests;
    private volatile long lastFailed;

    public ScenarioRun(Lab lab, LabWorkload workload, ScenarioPlan plan, Hardening hardening) {
        this.lab = lab;
        this.workload = workload;
        this.plan = plan;
        this.hardened = hardening == Hardening.SAFEROLLOUT;
        if (plan.scenario().steps(plan.rollouts(), plan.kills()).stream()
                .anyMatch(s -> s instanceof Step.Rollout r && r.kind() == RolloutKind.SCALE_DOWN)
                && workload.replicas() < 2) {
            throw new IllegalArgumentException("scenario " + plan.scenario() + " scales down by one pod and needs "
                    + "at least 2 replicas, got " + workload.replicas());
        }
    }

    /** Whether the run's Deployment is left as the user wrote it or put under a SafeRollout. */
    public enum Hardening {
        NONE,
        SAFEROLLOUT
    }

    public RunProgress progress() {
        LoadGenerator running = load;
        if (running != null) {
            var p = running.progress();
            lastRequests = p.requests();
            lastFailed = p.failed();
        }
        return new RunProgress(plan.scenario(), hardened, phase, lastRequests, lastFailed);
    }

    /**
     * Runs setup and the measured part.
     *
     * @throws IllegalStateException when setup or a step does not complete in time
     */
    public RunOutcome execute() throws InterruptedException {
        Disruptions disruptions = new Disruptions(lab.client(), Lab.NAMESPACE, workload.name(), plan.seed());
        phase = hardened ? "deploying, operator hardening" : "deploying";
        lab.deploy(workload);
        if (hardened) {
            lab.harden(workload);
        }
        awaitOrFail("setup", SETUP_TIMEOUT, () -> settled(disruptions));

        List<StepMark> marks = new ArrayList<>();
        List<Double> rolloutSeconds = new ArrayList<>();
        LoadPlan.Builder loadPlan = LoadPlan.builder()
                .ratePerSecond(plan.ratePerSecond())
                .scope(TargetScope.LOOPBACK_ONLY)
                .requestTimeout(Duration.ofSeconds(10));
        lab.serviceUrls().forEach(loadPlan::target);
        LoadReport report;
        Instant measuredFrom;
        int rollouts = 0;
        int kills = 0;
        try (LoadGenerator generator = LoadGenerator.create(loadPlan.build())) {
            phase = "steady traffic";
            generator.start();
            measuredFrom = Instant.now();
            load = generator;
            Thread.sleep(plan.leadIn().toMillis());
            List<Step> steps = plan.scenario().steps(plan.rollouts(), plan.kills());
            for (Step step : steps) {
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                String what;
                if (step instanceof Step.Rollout rollout) {
                    rollouts++;
                    what = rolloutLabel(rollout.kind()) + " " + rollouts + "/" + plan.rollouts();
                    phase = what;
                    rollOut(disruptions, rollout.kind(), what);
                    rolloutSeconds.add(Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
                } else {
                    kills++;
                    String victim = disruptions.killOne().orElse("no pod");
                    what = "kill " + kills + "/" + plan.kills() + " (" + victim + ")";
                    phase = what;
                    awaitOrFail(what, plan.stepTimeout(), () -> complete(disruptions));
                }
                marks.add(new StepMark(what, started, Instant.now()));
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
        RunResult result = new RunResult(plan.scenario().id(), hardened, report.requests(), report.failed(),
                report.failuresByClass(), rollouts, kills, rolloutSeconds);
        LOG.info("{}: {}", hardened ? "hardened" : "naive", result);
        List<LabEvent> events = lab.timeline().events();
        return new RunOutcome(result, report, measuredFrom, Instant.now(), marks, events, lab.endpointHistory());
    }

    private void rollOut(Disruptions disruptions, RolloutKind kind, String what) throws InterruptedException {
        switch (kind) {
            case IMAGE_CHANGE -> disruptions.changeImage();
            case RESTART -> disruptions.restart();
            case SCALE_DOWN -> {
                int replicas = workload.replicas();
                disruptions.scaleTo(replicas - 1);
                awaitOrFail(what + " (down)", plan.stepTimeout(), () -> complete(disruptions));
                disruptions.scaleTo(replicas);
            }
        }
        awaitOrFail(what, plan.stepTimeout(), () -> complete(disruptions));
    }

    private static String rolloutLabel(RolloutKind kind) {
        return switch (kind) {
            case IMAGE_CHANGE -> "rolling update";
            case RESTART -> "rollout restart";
            case SCALE_DOWN -> "scale down and up";
        };
    }

    private boolean complete(Disruptions disruptions) {
        return RolloutCompletion.isComplete(disruptions.current(), disruptions.pods());
    }

    /** Rolled out, and for a hardened run the operator reports Hardened and the pods carry its preStop hook. */
    private boolean settled(Disruptions disruptions) {
        Deployment d = disruptions.current();
        if (d == null || !RolloutCompletion.isComplete(d, disruptions.pods()) || !lab.dataPlane().converged()) {
            return false;
        }
        if (!hardened) {
            return true;
        }
        SafeRollout sr = lab.safeRollout(workload.name());
        boolean phaseHardened = sr != null && sr.getStatus() != null && sr.getStatus().getPhase() == Phase.Hardened;
        Container app = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        return phaseHardened && app.getLifecycle() != null && app.getLifecycle().getPreStop() != null
                && app.getReadinessProbe() != null;
    }

    private static void awaitOrFail(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not complete within " + timeout.toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }
}
