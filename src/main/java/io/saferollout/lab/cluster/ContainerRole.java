package io.saferollout.lab.cluster;

/** What a container is for in its pod; the runtime may run a different program for each. */
public enum ContainerRole {
  /** The application container (the pod's default container, else its first container). */
  APP,
  /** Any other entry of {@code spec.containers}: started in parallel with the application. */
  CLASSIC_SIDECAR,
  /** An init container with {@code restartPolicy: Always} (KEP-753): started before the app. */
  NATIVE_SIDECAR
}
