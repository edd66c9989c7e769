package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.saferollout.lab.cluster.KubeletPodStatus.ContainerView;
import io.saferollout.lab.cluster.KubeletPodStatus.State;
import io.saferollout.lab.cluster.KubeletPodStatus.Termination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's life of one pod (pkg/kubelet/pod_workers.go and kuberuntime): start native sidecars
 * in order, each after its startup probe passes, then the other containers; probe them; and on
 * deletion run each container's preStop hook, send SIGTERM, and SIGKILL what is still running when
 * terminationGracePeriodSeconds is up, sidecars last and in reverse order. See
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination and
 * https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 *
 * <p>A container that exits while the pod lives (it failed to start, crashed, or was killed because
 * its liveness or startup probe failed) is restarted as the pod's {@link RestartPolicy} says, after
 * the {@link CrashLoopBackOff} delay; its status then carries restartCount, the waiting reason
 * CrashLoopBackOff and how the previous run ended (lastState), as
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts describes.
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
    // This run of the container; a restart begins a new one.
    CompletableFuture<Void> exited = new CompletableFuture<>();
    State state = State.WAITING;
    String reason = "ContainerCreating";
    String message;
    RunningContainer handle;
    Instant startedAt;
    Instant finishedAt;
    Integer exitCode;
    boolean started;
    boolean ready;
    boolean stopping;
    boolean killed;
    boolean unhealthy;
    ProbeLoop startup;
    ProbeLoop readiness;
    ProbeLoop liveness;
    // Across runs.
    Runnable whenFirstStarted = () -> {};
    int restartCount;
    int restartsInStreak;
    Termination lastTermination;
    ScheduledFuture<?> pendingRestart;

    ContainerRun(Container spec, ContainerRole role, boolean initContainer) {
      this.spec = spec;
      this.role = role;
      this.initContainer = initContainer;
    }

    ContainerView view() {
      return new ContainerView(
          spec.getName(),
          spec.getImage(),
          initContainer,
          role == ContainerRole.NATIVE_SIDECAR,
          state,
          reason,
          message,
          startedAt,
          finishedAt,
          exitCode,
          started,
          ready,
          restartCount,
          lastTermination);
    }

    void stopProbes() {
      Optional.ofNullable(startup).ifPresent(ProbeLoop::cancel);
      Optional.ofNullable(readiness).ifPresent(ProbeLoop::cancel);
      Optional.ofNullable(liveness).ifPresent(ProbeLoop::cancel);
    }

    /** Forgets the previous run before the next one starts. */
    void resetRun() {
      exited = new CompletableFuture<>();
      reason = null;
      message = null;
      finishedAt = null;
      exitCode = null;
      started = false;
      ready = false;
      stopping = false;
      killed = false;
      unhealthy = false;
      startup = null;
      readiness = null;
      liveness = null;
    }
  }

  private final Kubelet kubelet;
  private final String key;
  private final Pod pod;
  private final String podIp;
  private final Instant startTime = Instant.now();
  private final List<ContainerRun> initRuns = new ArrayList<>();
  private final List<ContainerRun> regularRuns = new ArrayList<>();
  private final RestartPolicy restartPolicy;
  private final CrashLoopBackOff backOff;
  private boolean terminating;
  private boolean finished;

  PodWorker(Kubelet kubelet, Pod pod, String podIp, CrashLoopBackOff backOff) {
    this.kubelet = kubelet;
    this.key = SharedInformers.key(pod);
    this.pod = pod;
    this.podIp = podIp;
    this.restartPolicy = RestartPolicy.of(pod.getSpec().getRestartPolicy());
    this.backOff = backOff;
    boolean sidecars = kubelet.version().supportsNativeSidecars();
    for (Container c : pod.getSpec().getInitContainers()) {
      boolean restartable = "Always".equals(c.getRestartPolicy());
      if (restartable && !sidecars) {
        LOG.warn(
            "pod {}: init container {} has restartPolicy Always, which Kubernetes {} does not run as a sidecar"
                + " (SidecarContainers is on by default from 1.29); the lab starts it alongside the app",
            key,
            c.getName(),
            kubelet.version());
        regularRuns.add(new ContainerRun(c, ContainerRole.CLASSIC_SIDECAR, false));
      } else {
        initRuns.add(new ContainerRun(c, restartable ? ContainerRole.NATIVE_SIDECAR : null, true));
      }
    }
    String app =
        pod.getMetadata()
            .getAnnotations()
            .getOrDefault(
                "kubectl.kubernetes.io/default-container",
                pod.getSpec().getContainers().isEmpty()
                    ? ""
                    : pod.getSpec().getContainers().get(0).getName());
    for (Container c : pod.getSpec().getContainers()) {
      regularRuns.add(
          new ContainerRun(
              c,
              c.getName().equals(app) ? ContainerRole.APP : ContainerRole.CLASSIC_SIDECAR,
              false));
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
      regularRuns.forEach(run -> startContainer(run, () -> {}));
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
    run.whenFirstStarted = whenStarted;
    startContainer(run);
  }

  private void startContainer(ContainerRun run) {
    run.resetRun();
    run.startedAt = Instant.now();
    RunningContainer handle;
    try {
      handle = kubelet.runtime().start(pod, run.spec, podIp, run.role);
    } catch (RuntimeException e) {
      // What the runtime refused at once (kuberuntime reports it as StartError, exit code 128).
      ended(run, 128, "StartError", message(e));
      return;
    }
    run.handle = handle;
    run.state = State.RUNNING;
    kubelet.record(
        LabEvent.Kind.CONTAINER_STARTED,
        pod,
        run.spec.getName(),
        run.role + " at " + podIp + (run.restartCount == 0 ? "" : ", restart " + run.restartCount));
    // Exit callbacks run on the kubelet's own thread so that a runtime completing exited()
    // inside sigterm()/sigkill() never re-enters this worker from a foreign lock.
    handle
        .exited()
        .whenCompleteAsync((ignored, error) -> onExit(run, handle, error), kubelet.timers());
    if (run.spec.getStartupProbe() != null) {
      run.startup =
          probeLoop(
              run,
              ProbeLoop.Type.STARTUP,
              run.spec.getStartupProbe(),
              (result, failures) -> onStartupResult(run, handle, result, failures));
    } else {
      markStarted(run);
    }
    kubelet.podChanged(key);
  }

  private ProbeLoop probeLoop(
      ContainerRun run, ProbeLoop.Type type, Probe probe, ProbeLoop.Listener listener) {
    ProbeLoop loop =
        new ProbeLoop(
            type, probe, run.spec, podIp, kubelet.prober(), kubelet.probeRunner(), listener);
    loop.start(kubelet.timers());
    return loop;
  }

  private synchronized void onStartupResult(
      ContainerRun run, RunningContainer handle, boolean success, int failures) {
    if (run.handle != handle || run.state != State.RUNNING || run.started) {
      return;
    }
    if (success) {
      run.startup.cancel();
      markStarted(run);
      kubelet.podChanged(key);
    } else if (failures >= Prober.Timing.of(run.spec.getStartupProbe()).failureThreshold()) {
      run.startup.cancel();
      killUnhealthy(run, "startup", run.spec.getStartupProbe(), failures);
    }
  }

  private void markStarted(ContainerRun run) {
    run.started = true;
    RunningContainer handle = run.handle;
    if (run.spec.getReadinessProbe() != null) {
      run.readiness =
          probeLoop(
              run,
              ProbeLoop.Type.READINESS,
              run.spec.getReadinessProbe(),
              (ready, failures) -> onReadiness(run, handle, ready));
    } else {
      run.ready = true;
    }
    if (run.spec.getLivenessProbe() != null) {
      run.liveness =
          probeLoop(
              run,
              ProbeLoop.Type.LIVENESS,
              run.spec.getLivenessProbe(),
              (alive, failures) -> onLiveness(run, handle, alive, failures));
    }
    Runnable next = run.whenFirstStarted;
    run.whenFirstStarted = () -> {};
    next.run();
  }

  private synchronized void onReadiness(ContainerRun run, RunningContainer handle, boolean ready) {
    if (run.handle == handle && run.state == State.RUNNING && run.ready != ready) {
      run.ready = ready;
      kubelet.podChanged(key);
    }
  }

  private synchronized void onLiveness(
      ContainerRun run, RunningContainer handle, boolean alive, int failures) {
    if (run.handle == handle && run.state == State.RUNNING && !alive) {
      run.liveness.cancel();
      killUnhealthy(run, "liveness", run.spec.getLivenessProbe(), failures);
    }
  }

  /**
   * The kubelet kills a container whose liveness (or startup) probe failed failureThreshold times
   * in a row, as it would on deletion (preStop hook, SIGTERM, SIGKILL after the grace period, which
   * the probe's own terminationGracePeriodSeconds may shorten: KEP-2238), and the restart policy
   * then brings it back. See
   * https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
   */
  private void killUnhealthy(ContainerRun run, String probeName, Probe probe, int failures) {
    if (terminating || run.stopping) {
      return;
    }
    run.unhealthy = true;
    long graceSeconds =
        Optional.ofNullable(probe.getTerminationGracePeriodSeconds())
            .or(() -> Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()))
            .orElse(DEFAULT_GRACE_SECONDS);
    String detail =
        probeName
            + " probe failed "
            + failures
            + " times in a row; killing the container"
            + " (grace period "
            + graceSeconds
            + " s, restartPolicy "
            + restartPolicy
            + ")";
    LOG.info("pod {}: container {}: {}", key, run.spec.getName(), detail);
    kubelet.record(LabEvent.Kind.CONTAINER_UNHEALTHY, pod, run.spec.getName(), detail);
    stopContainer(run, Instant.now().plusSeconds(graceSeconds));
  }

  private synchronized void onExit(ContainerRun run, RunningContainer handle, Throwable error) {
    if (run.handle != handle || run.state != State.RUNNING) {
      return;
    }
    if (error != null) {
      // The process failed, e.g. it could not listen on its address: exit code 1, as a
      // program that reports the error and exits does.
      ended(run, 1, "Error", message(error));
    } else if (run.killed) {
      ended(run, 137, "Error", null);
    } else {
      ended(run, 0, "Completed", null);
    }
  }

  /**
   * Records how this run of the container ended, and restarts it if the pod lives on and its policy
   * says so.
   */
  private void ended(ContainerRun run, int exitCode, String reason, String message) {
    run.stopProbes();
    run.state = State.TERMINATED;
    run.ready = false;
    run.finishedAt = Instant.now();
    run.exitCode = exitCode;
    run.reason = reason;
    run.message = message;
    String container = run.spec.getName();
    if (message != null) {
      LOG.warn(
          "pod {}: container {} failed: {} (exit {}): {}",
          key,
          container,
          reason,
          exitCode,
          message);
      kubelet.record(
          LabEvent.Kind.CONTAINER_FAILED,
          pod,
          container,
          reason + " (exit " + exitCode + "): " + message);
    } else {
      kubelet.record(
          LabEvent.Kind.CONTAINER_EXITED,
          pod,
          container,
          run.killed ? "killed (exit " + exitCode + ")" : "exited (exit " + exitCode + ")");
    }
    run.exited.complete(null);
    if (!terminating) {
      scheduleRestart(run);
    }
    kubelet.podChanged(key);
  }

  private void scheduleRestart(ContainerRun run) {
    boolean restarts =
        run.role == ContainerRole.NATIVE_SIDECAR
            || restartPolicy.restarts(run.exitCode, run.unhealthy);
    if (!restarts) {
      LOG.info(
          "pod {}: container {} exited with {} and restartPolicy {} does not restart it",
          key,
          run.spec.getName(),
          run.exitCode,
          restartPolicy);
      return;
    }
    Duration ranFor = Duration.between(run.startedAt, run.finishedAt);
    run.restartsInStreak = backOff.streakAfterExit(run.restartsInStreak, ranFor);
    Duration delay = backOff.delay(run.restartsInStreak);
    run.lastTermination =
        new Termination(run.exitCode, run.reason, run.message, run.startedAt, run.finishedAt);
    if (!delay.isZero()) {
      // kuberuntime_manager.go doBackOff: the container waits with this reason and message.
      run.state = State.WAITING;
      run.reason = "CrashLoopBackOff";
      run.message =
          "back-off "
              + delay.toSeconds()
              + "s restarting failed container="
              + run.spec.getName()
              + " pod="
              + pod.getMetadata().getName()
              + "_"
              + pod.getMetadata().getNamespace();
      kubelet.record(LabEvent.Kind.CONTAINER_BACK_OFF, pod, run.spec.getName(), run.message);
    }
    run.pendingRestart =
        kubelet.timers().schedule(() -> restart(run), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void restart(ContainerRun run) {
    if (terminating || run.state == State.RUNNING) {
      return;
    }
    run.restartCount++;
    run.restartsInStreak++;
    startContainer(run);
  }

  private static String message(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
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
    cancelPendingRestarts();
    long graceSeconds =
        Optional.ofNullable(deleted.getMetadata().getDeletionGracePeriodSeconds())
            .or(() -> Optional.ofNullable(deleted.getSpec().getTerminationGracePeriodSeconds()))
            .orElse(DEFAULT_GRACE_SECONDS);
    Instant deadline = Instant.now().plusSeconds(graceSeconds);
    kubelet.record(LabEvent.Kind.POD_TERMINATING, pod, null, "grace period " + graceSeconds + " s");
    List<CompletableFuture<Void>> regular =
        regularRuns.stream().map(run -> stopContainer(run, deadline)).toList();
    CompletableFuture.allOf(regular.toArray(CompletableFuture[]::new))
        .thenCompose(ignored -> stopSidecarsInReverse(deadline))
        .whenComplete(
            (ignored, error) -> {
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
    if (run.stopping) {
      // Already being killed (its liveness probe failed): that kill's grace period stands.
      return run.exited;
    }
    run.stopping = true;
    RunningContainer handle = run.handle;
    CompletableFuture<Void> hookDone = new CompletableFuture<>();
    PreStopHook hook = PreStopHook.of(run.spec, kubelet.version());
    String container = run.spec.getName();
    if (hook instanceof PreStopHook.Sleep sleep) {
      kubelet.record(
          LabEvent.Kind.PRESTOP_STARTED,
          pod,
          container,
          "sleep " + sleep.duration().toMillis() + " ms");
      kubelet
          .timers()
          .schedule(
              () -> hookDone.complete(null), sleep.duration().toMillis(), TimeUnit.MILLISECONDS);
    } else if (hook instanceof PreStopHook.HttpGet get) {
      kubelet.record(
          LabEvent.Kind.PRESTOP_STARTED, pod, container, "httpGet " + get.action().getPath());
      kubelet
          .probeRunner()
          .execute(
              () -> {
                Duration left = Duration.between(Instant.now(), deadline);
                kubelet
                    .prober()
                    .httpGet(
                        get.action(),
                        run.spec,
                        podIp,
                        left.isNegative() ? Duration.ofMillis(1) : left);
                hookDone.complete(null);
              });
    } else if (hook instanceof PreStopHook.UnrecognisedExec exec) {
      LOG.info(
          "pod {}: preStop exec {} of {} is not a plain sleep; the lab cannot run it and goes on at once",
          key,
          exec.command(),
          container);
      hookDone.complete(null);
    } else if (hook instanceof PreStopHook.UnsupportedSleep dropped) {
      LOG.warn(
          "pod {}: preStop sleep of {} s on {} is ignored: Kubernetes {} drops the sleep action"
              + " (PodLifecycleSleepAction is on by default from 1.30)",
          key,
          dropped.seconds(),
          container,
          kubelet.version());
      hookDone.complete(null);
    } else {
      hookDone.complete(null);
    }
    CompletableFuture<Void> graceOver = new CompletableFuture<>();
    kubelet
        .timers()
        .schedule(
            () -> graceOver.complete(null),
            Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
            TimeUnit.MILLISECONDS);
    hookDone.acceptEither(graceOver, ignored -> sendSigterm(run, handle, deadline));
    return run.exited;
  }

  private synchronized void sendSigterm(
      ContainerRun run, RunningContainer handle, Instant deadline) {
    if (run.handle != handle || run.state != State.RUNNING) {
      return;
    }
    Duration left = Duration.between(Instant.now(), deadline);
    Duration untilKill = left.compareTo(MINIMUM_GRACE) < 0 ? MINIMUM_GRACE : left;
    kubelet.record(
        LabEvent.Kind.SIGTERM_SENT,
        pod,
        run.spec.getName(),
        "SIGKILL in " + untilKill.toMillis() + " ms");
    run.handle.sigterm();
    kubelet
        .timers()
        .schedule(() -> sendSigkill(run, handle), untilKill.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void sendSigkill(ContainerRun run, RunningContainer handle) {
    if (run.handle != handle || run.state != State.RUNNING) {
      return;
    }
    run.killed = true;
    kubelet.record(LabEvent.Kind.SIGKILL_SENT, pod, run.spec.getName(), "grace period over");
    run.handle.sigkill();
    kubelet
        .timers()
        .schedule(
            () -> {
              if (run.handle == handle && run.state == State.RUNNING) {
                LOG.warn(
                    "pod {}: container {} did not report its exit {} after SIGKILL; taking it as gone",
                    key,
                    run.spec.getName(),
                    EXIT_AFTER_KILL);
                onExit(run, handle, null);
              }
            },
            EXIT_AFTER_KILL.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** Stops everything at once, without hooks: the pod vanished or the kubelet is shutting down. */
  synchronized void kill() {
    terminating = true;
    cancelPendingRestarts();
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

  private void cancelPendingRestarts() {
    allRuns().stream()
        .map(run -> run.pendingRestart)
        .filter(Objects::nonNull)
        .forEach(f -> f.cancel(false));
  }

  synchronized boolean finished() {
    return finished;
  }

  synchronized PodStatus status(Pod current, PodStatus lastReported, Instant now) {
    return KubeletPodStatus.compose(
        current,
        lastReported,
        allRuns().stream().map(ContainerRun::view).toList(),
        kubelet.hostIp(current),
        kubelet.reportedPodIp(podIp),
        startTime,
        now);
  }

  private List<ContainerRun> allRuns() {
    List<ContainerRun> all = new ArrayList<>(initRuns);
    all.addAll(regularRuns);
    return all;
  }
}
