package io.saferollout.lab.cluster;

import java.time.Instant;

/**
 * One point on the lab's timeline.
 *
 * @param name the pod's name, or the EndpointSlice's for {@link Kind#ENDPOINTS_CHANGED}
 * @param container the container concerned, or {@code null} for pod-wide events
 * @param detail a short human-readable explanation, never {@code null}
 */
public record LabEvent(
    Instant at, Kind kind, String namespace, String name, String container, String detail) {

  public enum Kind {
    POD_CREATED,
    CONTAINER_STARTED,
    POD_READY,
    POD_UNREADY,
    POD_TERMINATING,
    PRESTOP_STARTED,
    SIGTERM_SENT,
    SIGKILL_SENT,
    CONTAINER_EXITED,
    /** A container could not start or exited with an error; the detail says why. */
    CONTAINER_FAILED,
    /**
     * A liveness or startup probe failed failureThreshold times; the kubelet kills the container.
     */
    CONTAINER_UNHEALTHY,
    /** The kubelet waits (CrashLoopBackOff) before restarting a container that exited. */
    CONTAINER_BACK_OFF,
    POD_DELETED,
    ENDPOINTS_CHANGED
  }

  static LabEvent now(Kind kind, String namespace, String name, String container, String detail) {
    return new LabEvent(
        Instant.now(), kind, namespace, name, container, detail == null ? "" : detail);
  }
}
