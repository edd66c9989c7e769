package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.saferollout.lab.cluster.KubeletPodStatus.ContainerView;
import io.saferollout.lab.cluster.KubeletPodStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's life of one pod (pkg/kubelet/pod_workers.go and kuberuntime): start native
 * sidecars in order, each after its startup probe passes, then the other containers; probe them;
 * and on deletion run each container's preStop hook, send SIGTERM, and SIGKILL what is still
 * running when terminationGracePeriodSeconds is up, sidecars last and in reverse order.
 * See https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination and
 * https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
final class PodWorker {

    private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
    /** kuberuntime_container.go minimumGracePeriodInSeconds: SIGTERM always gets this long. */
    static final Duration MINIMUM_GRACE = Duration.ofSeconds(2);
    /** How long a SIGKILLed container may take to report its exit before the kubelet moves on. */
    private static final Duration EXIT_AFTER_KILL = Duration.ofSeconds(5);
    private static final long DEFAULT_GRACE_SECONDS = 30;

    private final class ContainerRun {
        final Container spec;
        final ContainerRole role;
        final boolean initContainer;
        final CompletableFuture<Void> exited = new CompletableFuture<>();
        State state = State.WAITING;
        String reason = "ContainerCreating";
        RunningContainer handle;
        Instant startedAt;
        Instant finishedAt;
        Integer exitCode;
        boolean started;
        boolean ready;
        boolean killed;
        ProbeLoop startup;
        ProbeLoop readiness;

        ContainerRun(Container spec, ContainerRole role, boolean initContainer) {
            this.spec = spec;
            this.role = role;
            this.initContainer = initContainer;
        }

        ContainerView view() {
            return new ContainerView(spec.getName(), spec.getImage(), initContainer, role == ContainerRole.NATIVE_SIDECAR,
                    state, reason, startedAt, finishedAt, exitCode, started, ready);
        }

        void stopProbes() {
            Optional.ofNullable(startup).ifPresent(ProbeLoop::cancel);
            Optional.ofNullable(readiness).ifPresent(ProbeLoop::cancel);
        }
    }

    private final Kubelet kubelet;
    private final String key;
    private final Pod pod;
    private final String podIp;
    private final Instant startTime = Instant.now();
    private final List<ContainerRun> initRuns = new ArrayList<>();
    private final List<ContainerRun> regularRuns = new ArrayList<>();
    private boolean terminating;
    private boolean finished;

    PodWorker(Kubelet kubelet, Pod pod, String podIp) {
        this.kubelet = kubelet;
        this.key = SharedInformers.key(pod);
        this.pod = pod;
        this.podIp = podIp;
        boolean sidecars = kubelet.version().supportsNativeSidecars();
        for (Container c : pod.getSpec().getInitContainers()) {
            boolean restartable = "Always".equals(c.getRestartPolicy());
            if (restartable && !sidecars) {
                LOG.warn("pod {}: init container {} has restartPolicy Always, which Kubernetes {} does not run as a sidecar"
                        + " (SidecarContainers is on by default from 1.29); the lab starts it alongside the app", key, c.getName(), kubelet.version());
                regularRuns.add(new ContainerRun(c, ContainerRole.CLASSIC_SIDECAR, false));
            } else {
                initRuns.add(new ContainerRun(c, restartable ? ContainerRole.NATIVE_SIDECAR : null, true));
            }
        }
        String app = pod.getMetadata().getAnnotations().getOrDefault("kubectl.kubernetes.io/default-container",
                pod.getSpec().getContainers().isEmpty() ? "" : pod.getSpec().getContainers().get(0).getName());
        for (Container c : pod.getSpec().getContainers()) {
            regularRuns.add(new ContainerRun(c, c.getName().equals(app) ? ContainerRole.APP : ContainerRole.CLASSIC_SIDECAR, false));
        }
    }

    String podIp() {
        return podIp;
    }

    void start(Duration startDelay) {
        kubelet.timers().schedule(() -> startInit(0), startDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Init containers one by one: a native sidecar lets the next start once it has started. */
    private synchronized void startInit(int index) {
        if (terminating) {
            return;
        }
        if (index == initRuns.size()) {
            regularRuns.forEach(run -> startContainer(run, () -> { }));
            return;
        }
        ContainerRun run = initRuns.get(index);
        if (run.role == ContainerRole.NATIVE_SIDECAR) {
            startContainer(run, () -> startInit(index + 1));
        } else {
            // The lab runs no processes to completion: a classic init container succeeds at once.
            LOG.debug("pod {}: init container {} is taken as completed", key, run.spec.getName());
            run.state = State.TERMINATED;
            run.reason = "Completed";
            run.exitCode = 0;
            run.startedAt = Instant.now();
            run.finishedAt = run.startedAt;
            run.started = true;
            run.exited.complete(null);
            kubelet.podChanged(key);
            startInit(index + 1);
        }
    }

    private void startContainer(ContainerRun run, Runnable whenStarted) {
        try {
            run.handle = kubelet.runtime().start(pod, run.spec, podIp, run.role);
        } catch (RuntimeException e) {
            LOG.warn("pod {}: container {} failed to start: {}", key, run.spec.getName(), e.toString());
            run.state = State.TERMINATED;
            run.reason = "StartError";
            run.exitCode = 128;
            run.finishedAt = Instant.now();
            run.exited.complete(null);
            kubelet.podChanged(key);
            return;
        }
        run.state = State.RUNNING;
        run.startedAt = Instant.now();
        kubelet.record(LabEvent.Kind.CONTAINER_STARTED, pod, run.spec.getName(), run.role + " at " + podIp);
        // Exit callbacks run on the kubelet's own thread so that a runtime completing exited()
        // inside sigterm()/sigkill() never re-enters this worker from a foreign lock.
        run.handle.exited().whenCompleteAsync((ignored, error) -> onExit(run), kubelet.timers());
        if (run.spec.getStartupProbe() != null) {
            run.startup = probeLoop(run, run.spec.getStartupProbe(), (result, failures) -> onStartupResult(run, result, failures, whenStarted));
        } else {
            markStarted(run, whenStarted);
        }
        kubelet.podChanged(key);
    }

    private ProbeLoop probeLoop(ContainerRun run, io.fabric8.kubernetes.api.model.Probe probe, ProbeLoop.Listener listener) {
        ProbeLoop loop = new ProbeLoop(probe, run.spec, podIp, kubelet.prober(), kubelet.probeRunner(), listener);
        loop.start(kubelet.timers());
        return loop;
    }

    private synchronized void onStartupResult(ContainerRun run, boolean success, int failures, Runnable whenStarted) {
        if (run.state != State.RUNNING || run.started) {
            return;
        }
        if (success) {
            run.startup.cancel();
            markStarted(run, whenStarted);
            kubelet.podChanged(key);
        } else if (failures >= Prober.Timing.of(run.spec.getStartupProbe()).failureThreshold()) {
            // A real kubelet would now restart the container; the lab leaves it unstarted.
            LOG.warn("pod {}: startup probe of {} failed {} times in a row; the container never counts as started",
                    key, run.spec.getName(), failures);
            run.startup.cancel();
        }
    }

    private void markStarted(ContainerRun run, Runnable whenStarted) {
        run.started = true;
        if (run.spec.getReadinessProbe() != null) {
            run.readiness = probeLoop(run, run.spec.getReadinessProbe(), (ready, failures) -> onReadiness(run, ready));
        } else {
            run.ready = true;
        }
        whenStarted.run();
    }

    private synchronized void onReadiness(ContainerRun run, boolean ready) {
        if (run.state == State.RUNNING && run.ready != ready) {
            run.ready = ready;
            kubelet.podChanged(key);
        }
    }

    private synchronized void onExit(ContainerRun run) {
        if (run.state == State.TERMINATED) {
            return;
        }
        run.stopProbes();
        run.state = State.TERMINATED;
        run.ready = false;
        run.finishedAt = Instant.now();
        run.exitCode = run.killed ? 137 : 0;
        run.reason = run.killed ? "Error" : "Completed";
        kubelet.record(LabEvent.Kind.CONTAINER_EXITED, pod, run.spec.getName(), run.killed ? "killed (exit 137)" : "exited (exit 0)");
        if (!terminating) {
            LOG.warn("pod {}: container {} exited on its own; the lab does not restart containers", key, run.spec.getName());
        }
        run.exited.complete(null);
        kubelet.podChanged(key);
    }

    /**
     * Graceful termination, once: the grace period counts from the moment the kubelet sees the
     * deletion, and covers preStop hooks and SIGTERM alike.
     */
    synchronized void terminate(Pod deleted) {
        if (terminating) {
            return;
        }
        terminating = true;
        long graceSeconds = Optional.ofNullable(deleted.getMetadata().getDeletionGracePeriodSeconds())
                .or(() -> Optional.ofNullable(deleted.getSpec().getTerminationGracePeriodSeconds()))
                .orElse(DEFAULT_GRACE_SECONDS);
        Instant deadline = Instant.now().plusSeconds(graceSeconds);
        kubelet.record(LabEvent.Kind.POD_TERMINATING, pod, null, "grace period " + graceSeconds + " s");
        List<CompletableFuture<Void>> regular = regularRuns.stream().map(run -> stopContainer(run, deadline)).toList();
        CompletableFuture.allOf(regular.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> stopSidecarsInReverse(deadline))
                .whenComplete((ignored, error) -> {
                    synchronized (this) {
                        finished = true;
                    }
                    kubelet.podChanged(key);
                });
    }

    /** KEP-753: sidecars stop after the app containers, the last declared first. */
    private CompletableFuture<Void> stopSidecarsInReverse(Instant deadline) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = initRuns.size() - 1; i >= 0; i--) {
            ContainerRun run = initRuns.get(i);
            chain = chain.thenCompose(ignored -> stopContainer(run, deadline));
        }
        return chain;
    }

    /**
     * kuberuntime_container.go killContainer: the preStop hook may use up the grace period; SIGTERM
     * follows it (or the end of the grace period if the hook hangs), and SIGKILL follows SIGTERM
     * after what is left of the grace period, but never sooner than two seconds.
     */
    private synchronized CompletableFuture<Void> stopContainer(ContainerRun run, Instant deadline) {
        if (run.state != State.RUNNING) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> hookDone = new CompletableFuture<>();
        PreStopHook hook = PreStopHook.of(run.spec, kubelet.version());
        String container = run.spec.getName();
        if (hook instanceof PreStopHook.Sleep sleep) {
            kubelet.record(LabEvent.Kind.PRESTOP_STARTED, pod, container, "sleep " + sleep.duration().toMillis() + " ms");
            kubelet.timers().schedule(() -> hookDone.complete(null), sleep.duration().toMillis(), TimeUnit.MILLISECONDS);
        } else if (hook instanceof PreStopHook.HttpGet get) {
            kubelet.record(LabEvent.Kind.PRESTOP_STARTED, pod, container, "httpGet " + get.action().getPath());
            kubelet.probeRunner().execute(() -> {
                Duration left = Duration.between(Instant.now(), deadline);
                kubelet.prober().httpGet(get.action(), run.spec, podIp, left.isNegative() ? Duration.ofMillis(1) : left);
                hookDone.complete(null);
            });
        } else if (hook instanceof PreStopHook.UnrecognisedExec exec) {
            LOG.info("pod {}: preStop exec {} of {} is not a plain sleep; the lab cannot run it and goes on at once",
                    key, exec.command(), container);
            hookDone.complete(null);
        } else if (hook instanceof PreStopHook.UnsupportedSleep dropped) {
            LOG.warn("pod {}: preStop sleep of {} s on {} is ignored: Kubernetes {} drops the sleep action"
                    + " (PodLifecycleSleepAction is on by default from 1.30)", key, dropped.seconds(), container, kubelet.version());
            hookDone.complete(null);
        } else {
            hookDone.complete(null);
        }
        CompletableFuture<Void> graceOver = new CompletableFuture<>();
        kubelet.timers().schedule(() -> graceOver.complete(null), Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        hookDone.acceptEither(graceOver, ignored -> sendSigterm(run, deadline));
        return run.exited;
    }

    private synchronized void sendSigterm(ContainerRun run, Instant deadline) {
        if (run.state != State.RUNNING) {
            return;
        }
        Duration left = Duration.between(Instant.now(), deadline);
        Duration untilKill = left.compareTo(MINIMUM_GRACE) < 0 ? MINIMUM_GRACE : left;
        kubelet.record(LabEvent.Kind.SIGTERM_SENT, pod, run.spec.getName(), "SIGKILL in " + untilKill.toMillis() + " ms");
        run.handle.sigterm();
        kubelet.timers().schedule(() -> sendSigkill(run), untilKill.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void sendSigkill(ContainerRun run) {
        if (run.state != State.RUNNING) {
            return;
        }
        run.killed = true;
        kubelet.record(LabEvent.Kind.SIGKILL_SENT, pod, run.spec.getName(), "grace period over");
        run.handle.sigkill();
        kubelet.timers().schedule(() -> {
            if (!run.exited.isDone()) {
                LOG.warn("pod {}: container {} did not report its exit {} after SIGKILL; taking it as gone", key, run.spec.getName(), EXIT_AFTER_KILL);
                onExit(run);
            }
        }, EXIT_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops everything at once, without hooks: the pod vanished or the kubelet is shutting down. */
    synchronized void kill() {
        terminating = true;
        for (ContainerRun run : allRuns()) {
            run.stopProbes();
            if (run.state == State.RUNNING) {
                run.killed = true;
                try {
                    run.handle.sigkill();
                } catch (RuntimeException e) {
                    LOG.debug("pod {}: SIGKILL of {} failed: {}", key, run.spec.getName(), e.toString());
                }
            }
        }
        finished = true;
    }

    synchronized boolean finished() {
        return finished;
    }

    synchronized PodStatus status(Pod current, PodStatus lastReported, Instant now) {
        return KubeletPodStatus.compose(current, lastReported, allRuns().stream().map(ContainerRun::view).toList(),
                Kubelet.HOST_IP, podIp, startTime, now);
    }

    private List<ContainerRun> allRuns() {
        List<ContainerRun> all = new ArrayList<>(initRuns);
        all.addAll(regularRuns);
        return all;
    }
}
