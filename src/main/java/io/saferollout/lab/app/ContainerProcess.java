package io.saferollout.lab.app;

import java.util.concurrent.CompletableFuture;

/**
 * A process running in a simulated container, as the lab's kubelet sees it: it can be sent SIGTERM
 * and SIGKILL and reports when it has exited.
 */
public interface ContainerProcess {

  /** SIGTERM: the process shuts down in its own way (see {@link ShutdownStyle}). */
  void terminate();

  /** SIGKILL: everything closes immediately. */
  void kill();

  /**
   * Completes once the listener and every connection are closed; exceptionally, with the reason,
   * when the process failed (its listener could not bind).
   */
  CompletableFuture<Void> exited();

  /** Whether the listener accepts connections right now. */
  boolean isListening();

  ContainerCounters counters();
}
