package io.saferollout.operator;

import io.saferollout.rules.Change;
import java.util.List;

/**
 * One target after the apply step.
 *
 * @param recorded the changes the operator has made to the Deployment, as its record now says
 * @param appliedNow the changes patched in this reconcile (empty unless the plan's step was APPLY)
 */
record TargetResult(TargetPlan plan, List<Change> recorded, List<Change> appliedNow) {
  String deployment() {
    return plan.deployment();
  }
}
