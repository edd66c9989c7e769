package io.saferollout.lab.scenario;

import io.saferollout.lab.app.ShutdownStyle;

/**
 * One side of a comparison: whether the Deployment is put under a SafeRollout, and how its app
 * shuts down. The app's shutdown is the app's own code: an operator can delay SIGTERM (preStop) but
 * cannot make a process that exits at once finish its requests, so a hardened arm whose app exits
 * at once is a {@link Purpose#CONTROL}: it shows what the operator cannot fix and is never counted
 * as the product's failure.
 */
public record Arm(Hardening hardening, ShutdownStyle app, Purpose purpose) {

  /** Whether the run's Deployment is left as the user wrote it or put under a SafeRollout. */
  public enum Hardening {
    NONE,
    SAFEROLLOUT
  }

  /** What the arm is for. */
  public enum Purpose {
    /** Naive or hardened side of the comparison; a hardened one must lose nothing. */
    COMPARED,
    /** Shown to make a point (e.g. an app that exits at once), not judged. */
    CONTROL
  }

  public static Arm naive(ShutdownStyle app) {
    return new Arm(Hardening.NONE, app, Purpose.COMPARED);
  }

  public static Arm hardened(ShutdownStyle app) {
    return new Arm(Hardening.SAFEROLLOUT, app, Purpose.COMPARED);
  }

  public static Arm hardenedControl(ShutdownStyle app) {
    return new Arm(Hardening.SAFEROLLOUT, app, Purpose.CONTROL);
  }

  public boolean hardened() {
    return hardening == Hardening.SAFEROLLOUT;
  }

  /** "naive", "hardened", "hardened (control)". */
  public String label() {
    return (hardened() ? "hardened" : "naive") + (purpose == Purpose.CONTROL ? " (control)" : "");
  }
}
