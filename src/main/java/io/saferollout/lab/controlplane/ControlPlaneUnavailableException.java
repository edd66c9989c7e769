package io.saferollout.lab.controlplane;

/** The control plane cannot start because its binaries are not built; the message says how. */
public final class ControlPlaneUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ControlPlaneUnavailableException(String message) {
    super(message);
  }
}
