package io.saferollout.lab.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller's work queue with the guarantees of client-go's workqueue: a key waits at most once
 * in the queue however often it is added, one key is never processed by two threads at once, and a
 * failed key is retried with exponential back-off a bounded number of times.
 */
final class WorkQueue implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
  private static final long BASE_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final int MAX_RETRIES = 15;

  private final String name;
  private final Consumer<String> reconciler;
  private final ScheduledThreadPoolExecutor worker;
  private final Set<String> queued = new HashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();

  WorkQueue(String name, Consumer<String> reconciler) {
    this.name = name;
    this.reconciler = reconciler;
    // One worker: keys are processed one at a time, so a controller never races with itself.
    this.worker =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "lab-" + name);
              thread.setDaemon(true);
              return thread;
            });
    this.worker.setRemoveOnCancelPolicy(true);
  }

  void add(String key) {
    synchronized (queued) {
      if (worker.isShutdown() || !queued.add(key)) {
        return;
      }
    }
    try {
      worker.execute(() -> process(key));
    } catch (RejectedExecutionException closing) {
      synchronized (queued) {
        queued.remove(key);
      }
    }
  }

  void addAfter(String key, Duration delay) {
    try {
      worker.schedule(() -> add(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      LOG.debug("{} queue closed, dropping delayed {}", name, key);
    }
  }

  private void process(String key) {
    synchronized (queued) {
      queued.remove(key);
    }
    try {
      reconciler.accept(key);
      synchronized (queued) {
        failures.remove(key);
      }
    } catch (RuntimeException e) {
      int attempt;
      synchronized (queued) {
        attempt = failures.merge(key, 1, Integer::sum);
        if (attempt > MAX_RETRIES) {
          failures.remove(key);
        }
      }
      if (attempt > MAX_RETRIES) {
        LOG.warn(
            "{}: giving up on {} after {} attempts; the next change will retry it",
            name,
            key,
            MAX_RETRIES,
            e);
        return;
      }
      long backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(attempt - 1, 20));
      LOG.debug("{}: retrying {} in {} ms: {}", name, key, backoff, e.toString());
      addAfter(key, Duration.ofMillis(backoff));
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("{} worker did not stop within 10 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
