package io.saferollout.lab.app;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A container whose process is one {@link ContainerServer}: signals and counters go to it. */
abstract class ServedContainer implements ContainerProcess {

  abstract ContainerServer server();

  abstract ShutdownStyle shutdownStyle();

  abstract Duration drainTimeout();

  @Override
  public final void terminate() {
    server().terminate(shutdownStyle(), drainTimeout());
  }

  @Override
  public final void kill() {
    server().exit();
  }

  @Override
  public final CompletableFuture<Void> exited() {
    return server().exited();
  }

  @Override
  public final boolean isListening() {
    return server().isListening();
  }

  @Override
  public final ContainerCounters counters() {
    return server().counters();
  }
}
