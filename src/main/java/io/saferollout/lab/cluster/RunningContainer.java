package io.saferollout.lab.cluster;

import java.util.concurrent.CompletableFuture;

/** A started container, as the kubelet sees it: it can be signalled and it eventually exits. */
public interface RunningContainer {

  /** Asks the process to shut down gracefully; it decides when (or whether) to exit. */
  void sigterm();

  /** Stops the process at once; {@link #exited()} must complete soon after. */
  void sigkill();

  /**
   * Completes when the process has exited: normally for an exit the process chose or a signal,
   * exceptionally when it failed (e.g. could not listen on its address), the exception's message
   * saying why; the kubelet shows that message in the container's status and events.
   */
  CompletableFuture<Void> exited();
}
