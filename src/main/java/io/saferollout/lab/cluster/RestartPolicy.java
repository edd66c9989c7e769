package io.saferollout.lab.cluster;

/**
 * A pod's {@code spec.restartPolicy}, deciding whether the kubelet restarts a container that exited
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy). Native
 * sidecars (init containers with {@code restartPolicy: Always}) are restarted whatever the pod's
 * policy (KEP-753). Pure.
 */
enum RestartPolicy {
  ALWAYS,
  ON_FAILURE,
  NEVER;

  /** As written in the pod spec: Always, OnFailure, Never. */
  @Override
  public String toString() {
    return switch (this) {
      case ALWAYS -> "Always";
      case ON_FAILURE -> "OnFailure";
      case NEVER -> "Never";
    };
  }

  /** The pod's policy; the API server defaults an unset one to Always. */
  static RestartPolicy of(String specValue) {
    if (specValue == null || specValue.isEmpty()) {
      return ALWAYS;
    }
    return switch (specValue) {
      case "Always" -> ALWAYS;
      case "OnFailure" -> ON_FAILURE;
      case "Never" -> NEVER;
      default ->
          throw new IllegalArgumentException(
              "spec.restartPolicy must be Always, OnFailure or Never, got '" + specValue + "'");
    };
  }

  /**
   * Whether a container that exited with {@code exitCode} starts again. A container the kubelet
   * killed because a liveness or startup probe failed is restarted unless the policy is Never
   * (kuberuntime_manager.go computePodActions), whatever its exit code.
   */
  boolean restarts(int exitCode, boolean killedAsUnhealthy) {
    return switch (this) {
      case ALWAYS -> true;
      case ON_FAILURE -> exitCode != 0 || killedAsUnhealthy;
      case NEVER -> false;
    };
  }
}
