package io.saferollout.verify;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.PodApp;
import io.saferollout.lab.cluster.ContainerRole;
import io.saferollout.lab.cluster.ContainerRuntime;
import io.saferollout.lab.cluster.RunningContainer;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;

/** Test-only: the lab kubelet runs every container as a {@link PodApp} with one behaviour. */
final class PodAppRuntime implements ContainerRuntime {
  private final Vertx vertx;
  private final AppBehaviour behaviour;

  PodAppRuntime(Vertx vertx, AppBehaviour behaviour) {
    this.vertx = vertx;
    this.behaviour = behaviour;
  }

  @Override
  public RunningContainer start(Pod pod, Container container, String podIp, ContainerRole role) {
    int port = container.getPorts().get(0).getContainerPort();
    PodApp app = PodApp.start(vertx, pod.getMetadata().getName(), podIp, port, behaviour);
    return new RunningContainer() {
      @Override
      public void sigterm() {
        app.terminate();
      }

      @Override
      public void sigkill() {
        app.kill();
      }

      @Override
      public CompletableFuture<Void> exited() {
        return app.exited();
      }
    };
  }
}
