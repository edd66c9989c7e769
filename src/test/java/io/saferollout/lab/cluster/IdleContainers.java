package io.saferollout.lab.cluster;

import java.util.concurrent.CompletableFuture;

/** A runtime whose containers never serve, for tests about the control plane only. */
public final class IdleContainers {
  private IdleContainers() {}

  public static ContainerRuntime runtime() {
    return (pod, container, ip, role) -> {
      CompletableFuture<Void> exited = new CompletableFuture<>();
      return new RunningContainer() {
        @Override
        public void sigterm() {
          exited.complete(null);
        }

        @Override
        public void sigkill() {
          exited.complete(null);
        }

        @Override
        public CompletableFuture<Void> exited() {
          return exited;
        }
      };
    };
  }
}
