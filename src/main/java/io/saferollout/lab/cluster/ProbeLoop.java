package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One probe of one container, run every periodSeconds after initialDelaySeconds, never two at a
 * time (a probe still waiting for its timeout makes the next tick skip, as the kubelet's worker
 * does). Results go through a {@link ProbeTracker}; the listener hears only changes.
 */
final class ProbeLoop {

  /**
   * The three probes differ in the result they start with (pkg/kubelet/prober/worker.go): a
   * container is unready until its readiness probe succeeds, but alive until its liveness probe
   * fails failureThreshold times.
   */
  enum Type {
    STARTUP(false),
    READINESS(false),
    LIVENESS(true);

    final boolean initialResult;

    Type(boolean initialResult) {
      this.initialResult = initialResult;
    }
  }

  interface Listener {
    /**
     * Called with the new result after a change, and with every failure count (for startup and
     * liveness probes).
     */
    void onResult(boolean result, int consecutiveFailures);
  }

  private final Probe probe;
  private final Container container;
  private final String podIp;
  private final Prober prober;
  private final ExecutorService probeRunner;
  private final ProbeTracker tracker;
  private final Listener listener;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private volatile boolean cancelled;
  private ScheduledFuture<?> ticks;

  ProbeLoop(
      Type type,
      Probe probe,
      Container container,
      String podIp,
      Prober prober,
      ExecutorService probeRunner,
      Listener listener) {
    this.probe = probe;
    this.container = container;
    this.podIp = podIp;
    this.prober = prober;
    this.probeRunner = probeRunner;
    Prober.Timing timing = Prober.Timing.of(probe);
    this.tracker =
        new ProbeTracker(timing.successThreshold(), timing.failureThreshold(), type.initialResult);
    this.listener = listener;
  }

  synchronized void start(ScheduledExecutorService timers) {
    Prober.Timing timing = Prober.Timing.of(probe);
    ticks =
        timers.scheduleAtFixedRate(
            this::tick,
            timing.initialDelay().toMillis(),
            timing.period().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (cancelled || !inFlight.compareAndSet(false, true)) {
      return;
    }
    try {
      probeRunner.execute(
          () -> {
            try {
              boolean success = prober.probe(probe, container, podIp);
              if (cancelled) {
                return;
              }
              boolean changed;
              int failures;
              synchronized (tracker) {
                changed = tracker.record(success);
                failures = tracker.consecutiveFailures();
              }
              if (changed || !success) {
                listener.onResult(tracker.result(), failures);
              }
            } finally {
              inFlight.set(false);
            }
          });
    } catch (RejectedExecutionException shuttingDown) {
      inFlight.set(false);
    }
  }

  synchronized void cancel() {
    cancelled = true;
    if (ticks != null) {
      ticks.cancel(false);
    }
  }
}
