package io.saferollout.lab;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.saferollout.lab.app.ContainerProcess;
import io.saferollout.lab.app.PodApp;
import io.saferollout.lab.app.SidecarProxy;
import io.saferollout.lab.cluster.ContainerRole;
import io.saferollout.lab.cluster.ContainerRuntime;
import io.saferollout.lab.cluster.RunningContainer;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The lab's container runtime: the application container of a pod runs a real {@link PodApp} server
 * and every other container (classic or native sidecar) a {@link SidecarProxy} in front of it, both
 * on the pod's loopback IP, behaving as the pod's {@link AppAnnotations} say. Signals map one to
 * one: SIGTERM asks the process to shut down its own way, SIGKILL closes everything.
 */
public final class PodAppRuntime implements ContainerRuntime {

  private final Vertx vertx;
  private final long seed;

  /**
   * @param vertx must use the NIO transport (see {@link PodApp})
   */
  public PodAppRuntime(Vertx vertx, long seed) {
    this.vertx = vertx;
    this.seed = seed;
  }

  @Override
  public RunningContainer start(Pod pod, Container container, String podIp, ContainerRole role) {
    String podName = pod.getMetadata().getName();
    int port = firstPort(container, podName);
    ContainerProcess process =
        role == ContainerRole.APP
            ? PodApp.start(
                vertx,
                podName,
                podIp,
                port,
                AppAnnotations.appBehaviour(pod, seed ^ podName.hashCode()))
            : SidecarProxy.start(
                vertx,
                podName,
                podIp,
                port,
                appPort(pod, podName),
                AppAnnotations.sidecarBehaviour(pod));
    return new ProcessContainer(process);
  }

  private static int appPort(Pod pod, String podName) {
    List<Container> containers = pod.getSpec().getContainers();
    String app =
        pod.getMetadata().getAnnotations() == null
            ? null
            : pod.getMetadata().getAnnotations().get("kubectl.kubernetes.io/default-container");
    Container appContainer =
        containers.stream()
            .filter(c -> app == null || c.getName().equals(app))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "pod " + podName + " has no application container"));
    return firstPort(appContainer, podName);
  }

  private static int firstPort(Container container, String podName) {
    List<ContainerPort> ports = container.getPorts();
    if (ports == null || ports.isEmpty() || ports.get(0).getContainerPort() == null) {
      throw new IllegalArgumentException(
          "container "
              + container.getName()
              + " of pod "
              + podName
              + " declares no port: the lab runs every container as an HTTP server on its first port");
    }
    return ports.get(0).getContainerPort();
  }

  /**
   * A process as the kubelet sees it. A process that could not listen has exited with that error,
   * which the kubelet reports as the container's failure (and restarts it with back-off).
   */
  private record ProcessContainer(ContainerProcess process) implements RunningContainer {
    @Override
    public void sigterm() {
      process.terminate();
    }

    @Override
    public void sigkill() {
      process.kill();
    }

    @Override
    public CompletableFuture<Void> exited() {
      return process.exited();
    }
  }
}
