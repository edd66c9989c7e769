package io.saferollout.lab.cluster;

/**
 * The kubelet prober's thresholds (pkg/kubelet/prober/worker.go): a result only changes after
 * successThreshold consecutive successes or failureThreshold consecutive failures. See
 * https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
 */
final class ProbeTracker {

  private final int successThreshold;
  private final int failureThreshold;
  private boolean result;
  private Boolean lastOutcome;
  private int run;

  ProbeTracker(int successThreshold, int failureThreshold, boolean initialResult) {
    this.successThreshold = Math.max(1, successThreshold);
    this.failureThreshold = Math.max(1, failureThreshold);
    this.result = initialResult;
  }

  /** Records one probe outcome; returns whether the result changed. */
  boolean record(boolean success) {
    if (lastOutcome != null && lastOutcome == success) {
      run++;
    } else {
      lastOutcome = success;
      run = 1;
    }
    int threshold = success ? successThreshold : failureThreshold;
    if (run < threshold || result == success) {
      return false;
    }
    result = success;
    return true;
  }

  boolean result() {
    return result;
  }

  /** Consecutive failures so far, for a startup probe that gives up. */
  int consecutiveFailures() {
    return Boolean.FALSE.equals(lastOutcome) ? run : 0;
  }
}
