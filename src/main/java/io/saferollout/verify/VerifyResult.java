package io.saferollout.verify;

import io.saferollout.load.LoadReport;
import java.time.Duration;
import java.util.List;

/**
 * What a verification run measured.
 *
 * @param actions what was done to the Deployment, when (relative to the start of the load)
 * @param rolloutCompleted true when the Deployment reported the rollout complete (or none was
 *     waited for)
 */
public record VerifyResult(
    VerifyPlan plan, LoadReport load, List<Action> actions, boolean rolloutCompleted) {
  public VerifyResult {
    actions = List.copyOf(actions);
  }

  /** One disturbance of the Deployment, or a milestone of the rollout. */
  public record Action(Duration at, String what) {}

  /** The article's test: not one request may fail. */
  public boolean lostRequests() {
    return load.failed() > 0;
  }
}
