package io.saferollout.api;

/**
 * When the hardening reaches Deployments that are already running. Changing a pod template starts a
 * rollout (every pod is replaced), so a SafeRollout never starts one the user did not expect.
 */
public enum Adoption {
  /**
   * Wait for the user's next pod-template change (a new image, `kubectl rollout restart`) and apply
   * the hardening together with it; until then the status shows the pending changes.
   */
  NextRollout,
  /**
   * Roll now; with a selector, one Deployment at a time (the next starts when one is rolled out).
   */
  Immediately
}
