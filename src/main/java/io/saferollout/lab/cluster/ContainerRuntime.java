package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Where the lab's kubelet runs containers (the CRI of a real node). Implementations bind their
 * servers to {@code podIp}, a loopback address owned by the pod, on the container's ports.
 */
public interface ContainerRuntime {

  /**
   * Starts one container of the pod and returns at once; the container serves when it is ready to,
   * which is what the readiness probe finds out.
   *
   * @throws RuntimeException when the container cannot be started; the kubelet reports it
   */
  RunningContainer start(Pod pod, Container container, String podIp, ContainerRole role);
}
